import { describe, expect, it } from 'vitest';
import { toDiskUsage } from './disk-usage';

describe('Docker’s system df as disk usage', () => {
  it('drops Docker’s <none> placeholders, reads -1 as unknown and names containers without the slash', () => {
    const usage = toDiskUsage({
      LayersSize: 1000,
      Images: [
        { Id: 'sha256:a', RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'], Size: 10, SharedSize: -1, Created: 1_700_000_000 },
        { Id: 'sha256:b', RepoTags: ['r/tale-db:1.0.0'], RepoDigests: null, Size: 20, SharedSize: 5, Created: 1_700_000_001, Labels: { x: 'y' } },
      ],
      Containers: [{ Id: 'c1', Names: ['/tp-db'], Image: 'r/tale-db:1.0.0', ImageID: 'sha256:b', State: 'exited', Labels: null }],
      Volumes: [{ Name: 'tp_db-data', Labels: { project: 'tp' }, UsageData: { Size: -1, RefCount: 1 } }],
      BuildCache: null,
      BuilderSize: 0,
    });
    expect(usage.images[0]).toMatchObject({ repoTags: [], repoDigests: [], sharedSize: null, created: '2023-11-14T22:13:20.000Z' });
    expect(usage.images[1]).toMatchObject({ repoTags: ['r/tale-db:1.0.0'], repoDigests: [], size: 20, sharedSize: 5, labels: { x: 'y' } });
    expect(usage.containers).toEqual([{ id: 'c1', name: 'tp-db', imageId: 'sha256:b', image: 'r/tale-db:1.0.0', state: 'exited', labels: {} }]);
    expect(usage.volumes).toEqual([{ name: 'tp_db-data', size: null, refCount: 1, labels: { project: 'tp' } }]);
    expect(usage).toMatchObject({ buildCacheBytes: 0, layersSize: 1000 });
    expect(toDiskUsage({ BuildCache: [{ Size: 3 }, { Size: 4 }] }).buildCacheBytes).toBe(7);
  });
});
