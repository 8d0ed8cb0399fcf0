import { readFile } from 'node:fs/promises';
import path from 'node:path';
import dashboardDir from '#dashboard-dir';

/** A file of the dashboard, ready to serve. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const FILES: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/app.css': ['app.css', 'text/css; charset=utf-8'],
};

/**
 * The bundled dashboard (built into `dist/dashboard` by the package's build
 * with esbuild; no CDN). Files are read once and kept.
 */
export class DashboardAssets {
  private readonly cache = new Map<string, Promise<Asset | undefined>>();

  constructor(private readonly dir = dashboardDir) {}

  has(pathname: string): boolean {
    return pathname in FILES;
  }

  get(pathname: string): Promise<Asset | undefined> {
    let asset = this.cache.get(pathname);
    if (!asset) {
      const [file, type] = FILES[pathname]!;
      asset = readFile(path.join(this.dir, file)).then(
        (body) => ({ type, body }),
        () => {
          this.cache.delete(pathname);
          return undefined;
        },
      );
      this.cache.set(pathname, asset);
    }
    return asset;
  }
}
