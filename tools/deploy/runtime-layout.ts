import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseDockerfile, type Copy, type Image, type Stage } from './image.js';
import { repoRoot } from './render.js';

/** The image's files laid out in a directory, and how the image's command and environment run there. */
export interface RuntimeLayout {
  /** Stands for the image's WORKDIR. */
  dir: string;
  image: Image;
  /** The image's ENV, paths in its volumes moved under `volumes`. */
  env: Record<string, string>;
  volumes: string;
}

/** Whether a path under node_modules is in what `npm ci --omit=dev` installs: the lockfile's packages not marked dev. */
function productionFilter(root: string): (path: string) => boolean {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const dev = new Set(Object.keys(lock.packages).filter((path) => lock.packages[path]?.dev));
  const production = Object.keys(lock.packages).filter((path) => path && !dev.has(path));
  return (path) => {
    if (dev.has(path) || basename(path) === '.bin') return false;
    /** A scope's folder (node_modules/@koa) is kept only for the production packages in it. */
    if (basename(path).startsWith('@')) return production.some((each) => each.startsWith(`${path}/`));
    return true;
  };
}

/**
 * A stage's WORKDIR made here, as its lines say: its COPY lines from this checkout, then its npm commands. `npm ci`
 * is this checkout's node_modules (linked), `npm ci --omit=dev` those of them the lockfile does not mark dev (what it
 * installs from the same lockfile, built for this machine's Node), and `npm run <script>` runs there. apt-get and
 * the rest are the toolchain, this machine's own.
 */
function standIn(stage: Stage, root: string, scratch: string): string {
  const dir = join(scratch, stage.name ?? 'stage');
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  for (const copy of stage.copies) {
    if (copy.from !== undefined) throw new Error(`stage ${stage.name}: COPY --from=${copy.from} is not stood in for`);
    copyInto(copy, root, stage.workdir, dir, true);
  }
  for (const run of stage.runs) {
    if (/npm ci\b.*--omit=dev/.test(run)) {
      const installed = productionFilter(root);
      cpSync(join(root, 'node_modules'), join(dir, 'node_modules'), {
        recursive: true,
        filter: (source) => installed(relative(root, source)),
      });
    } else if (/npm ci\b/.test(run)) {
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    } else {
      const script = /npm run (\S+)/.exec(run)?.[1];
      if (script)
        execFileSync('npm', ['run', '--silent', script], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    }
  }
  return dir;
}

/** A COPY line carried out from `from` (a stage made here, or the build context: `context`). */
function copyInto(copy: Copy, from: string, workdir: string, dir: string, context = false): void {
  const inside = relative(workdir, copy.destination);
  if (inside.startsWith('..')) throw new Error(`COPY to ${copy.destination}, outside WORKDIR ${workdir}`);
  for (const source of copy.sources) {
    const path = join(from, source);
    const into =
      copy.intoDirectory && !statSync(path).isDirectory() ? join(dir, inside, basename(source)) : join(dir, inside);
    mkdirSync(dirname(into), { recursive: true });
    /** .dockerignore keeps every node_modules out of the build context. */
    const sent = (each: string) => !context || basename(each) !== 'node_modules';
    cpSync(path, into, { recursive: true, filter: sent });
  }
}

/**
 * The image's last stage laid out in `dir` without docker: each of its COPY lines carried out as the Dockerfile
 * says, from this checkout (the build context) or from the stage it names, made as that stage's own lines say.
 */
export function assembleRuntime(dir: string, root = repoRoot): RuntimeLayout {
  const image = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const scratch = `${dir}.stages`;
  const volumes = `${dir}.volumes`;
  for (const copy of image.runtime.copies) {
    const stage = image.stages.find((each) => each.name === copy.from);
    if (copy.from !== undefined && !stage) throw new Error(`COPY --from=${copy.from}: no such stage`);
    const from = stage ? standIn(stage, root, scratch) : root;
    const sources = stage ? copy.sources.map((source) => relative(stage.workdir, source)) : copy.sources;
    copyInto({ ...copy, sources }, from, image.runtime.workdir, dir, !stage);
  }
  for (const volume of image.volumes) mkdirSync(join(volumes, volume), { recursive: true });
  const moved = (value: string) => {
    const volume = image.volumes.find((each) => new RegExp(`(^|:)${each}(/|$)`).test(value));
    return volume === undefined ? value : value.replace(volume, join(volumes, volume));
  };
  const env = Object.fromEntries(Object.entries(image.runtime.env).map(([name, value]) => [name, moved(value)]));
  return { dir, image, env, volumes };
}
