/** The guide's "Schema compatibility and rollback", for every downgrade and rollback. */
export function SchemaWarning({ accepted, onAccept }: { accepted: boolean; onAccept: (v: boolean) => void }) {
  return (
    <div role="note" data-testid="schema-warning" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
      <p className="font-semibold">Convex data and indexes are not rolled back.</p>
      <p>
        Going back only swaps container images. If a newer release made forward-only schema changes (a required field added, a field
        renamed or retyped, a function removed), the older code may fail on the data it finds. Releases that follow the expand-contract
        pattern are safe to roll back across; a contract release is not.
      </p>
      <label className="flex items-center gap-2 font-medium">
        <input type="checkbox" checked={accepted} onChange={(e) => onAccept(e.target.checked)} />
        I understand; the older version runs on the newer data
      </label>
    </div>
  );
}
