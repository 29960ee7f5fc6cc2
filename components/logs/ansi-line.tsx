'use client';
import { memo, useMemo } from 'react';
import { AnsiUp } from 'ansi_up';

/**
 * One line's ANSI colours as HTML. AnsiUp escapes <, >, & and quotes before adding its own
 * spans (escape_html is on by default and forced here), so log content can never become markup.
 * A fresh converter per line: virtualised rows render out of order, so colour state must not
 * leak from one row into another.
 */
export const AnsiLine = memo(function AnsiLine({ text }: { text: string }) {
  const html = useMemo(() => {
    const au = new AnsiUp();
    au.escape_html = true;
    // Classes, not inline colours: globals.css draws the 16 ANSI colours readable on the dark log background.
    au.use_classes = true;
    return au.ansi_to_html(text);
  }, [text]);
  return <span dangerouslySetInnerHTML={{ __html: html }} />;
});
