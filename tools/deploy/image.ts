import { DockerfileParser, type Copy as CopyInstruction, type Env, type JSONInstruction } from 'dockerfile-ast';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import type { Findings, Violation } from './findings.js';
import { authApp, entryExists, entryOf, logsApp, valueOf, type Service } from './services.js';

export interface Copy {
  /** The stage copied from; undefined: the build context. */
  from: string | undefined;
  sources: string[];
  /** Absolute, resolved against the stage's WORKDIR. */
  destination: string;
  /** The destination is a directory the sources go into (it ends with a slash, or there are several sources). */
  intoDirectory: boolean;
}

/** A stage, with what it holds from the stage it is built FROM: its WORKDIR, ENV, COPY and RUN lines. */
export interface Stage {
  name: string | undefined;
  workdir: string;
  env: Record<string, string>;
  copies: Copy[];
  runs: string[];
}

/** What the Dockerfile's last stage, the image, holds and runs. */
export interface Image {
  stages: Stage[];
  runtime: Stage;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  user: string | undefined;
  volumes: string[];
  exposed: number[];
}

const absolute = (path: string, workdir: string): string =>
  path.startsWith('/') ? path : `${workdir.replace(/\/$/, '')}/${path.replace(/^\.\/?/, '')}`.replace(/\/$/, '') || '/';

const execForm = (instruction: JSONInstruction): string[] | undefined =>
  instruction.getRawArgumentsContent()?.trim().startsWith('[')
    ? instruction.getJSONStrings().map((each) => each.getJSONValue())
    : undefined;

export function parseDockerfile(text: string): Image {
  const stages: Stage[] = [];
  const image: Omit<Image, 'stages' | 'runtime'> = {
    entrypoint: undefined,
    cmd: undefined,
    user: undefined,
    volumes: [],
    exposed: [],
  };
  let stage: Stage | undefined;
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((each) => each.getValue());
    if (keyword === 'FROM') {
      const [base = '', , name] = args;
      const parent = stages.find((each) => each.name === base);
      stage = {
        name,
        workdir: parent?.workdir ?? '/',
        env: { ...parent?.env },
        copies: [...(parent?.copies ?? [])],
        runs: [...(parent?.runs ?? [])],
      };
      stages.push(stage);
      Object.assign(image, { entrypoint: undefined, cmd: undefined, user: undefined, volumes: [], exposed: [] });
      continue;
    }
    if (!stage) continue;
    if (keyword === 'WORKDIR') stage.workdir = absolute(args[0] ?? '/', stage.workdir);
    if (keyword === 'ENV') {
      for (const property of (instruction as Env).getProperties())
        stage.env[property.getName()] = property.getValue() ?? '';
    }
    if (keyword === 'RUN') stage.runs.push(args.join(' '));
    if (keyword === 'COPY') {
      const from = (instruction as CopyInstruction).getFromFlag()?.getValue() ?? undefined;
      const paths = args.filter((each) => !each.startsWith('--'));
      const destination = paths.at(-1) ?? '.';
      stage.copies.push({
        from,
        sources: paths.slice(0, -1),
        destination: absolute(destination, stage.workdir),
        intoDirectory: destination.endsWith('/') || paths.length > 2,
      });
    }
    if (keyword === 'ENTRYPOINT') image.entrypoint = execForm(instruction as JSONInstruction) ?? ['sh', '-c', ...args];
    if (keyword === 'CMD') image.cmd = execForm(instruction as JSONInstruction) ?? ['sh', '-c', ...args];
    if (keyword === 'USER') image.user = args[0];
    if (keyword === 'VOLUME') image.volumes.push(...(execForm(instruction as JSONInstruction) ?? args));
    if (keyword === 'EXPOSE') image.exposed.push(...args.map((each) => Number.parseInt(each, 10)));
  }
  if (!stage) throw new Error('the Dockerfile has no FROM');
  return { ...image, stages, runtime: stage };
}

/** dockerfile-utils' every check, as errors. */
const lintSettings: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

function environmentViolations(image: Image): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(image.runtime.env)) {
    const readers = [authApp, logsApp].filter((service) => service.environment.variables.includes(name));
    if (readers.length === 0) found.push(`ENV ${name}: neither auth-app nor logs-app reads it`);
    for (const service of readers) {
      const parsed = service.environment.parse(name, value);
      if ('refused' in parsed) found.push(`ENV ${name}=${value}: ${service.name} refuses it (${parsed.refused})`);
    }
  }
  return found;
}

function runtimeViolations(image: Image): string[] {
  const found: string[] = [];
  const { runtime, user, entrypoint, cmd } = image;
  if (!runtime.copies.some((each) => each.from !== undefined))
    found.push('the last stage copies nothing from a build stage');
  const modules = runtime.copies.find((each) => each.destination.endsWith('/node_modules'));
  const source = image.stages.find((each) => each.name === modules?.from);
  if (!source?.runs.some((run) => /npm ci\b.*--omit=dev/.test(run))) {
    found.push('node_modules is not copied from a stage that ran npm ci --omit=dev');
  }
  const uid = user?.split(':')[0];
  if (uid === undefined || !/^\d+$/.test(uid) || uid === '0') {
    found.push(
      `USER ${user ?? '(none)'}: the kubelet can hold a pod to runAsNonRoot only with a numeric, non-zero uid`,
    );
  }
  if (entrypoint?.[0] !== 'node') {
    found.push(`ENTRYPOINT ${JSON.stringify(entrypoint)}: node must be PID 1, in exec form, to get SIGTERM`);
  }
  const entry = entryOf(cmd ?? []);
  if (typeof entry !== 'object' || !entry.serves || !entryExists(entry.script)) {
    found.push(`CMD ${JSON.stringify(cmd)}: not a service's entry point (dist/<service>/main.js)`);
  }
  return found;
}

function storageViolations(image: Image): string[] {
  const found: string[] = [];
  const inVolume = (path: string) => image.volumes.some((volume) => path === volume || path.startsWith(`${volume}/`));
  if (!inVolume('/tmp')) found.push('VOLUME: /tmp is not a volume, and the root filesystem is read-only');
  const database = String(valueOf(authApp, image.runtime.env, 'AUTH_DATABASE_URL'));
  const file = /^sqlite:(.*)$/.exec(database)?.[1];
  if (file !== undefined && !inVolume(absolute(file, image.runtime.workdir))) {
    found.push(`AUTH_DATABASE_URL=${database}: the SQLite file is not in a VOLUME`);
  }
  const ports = (service: Service) => Number(valueOf(service, image.runtime.env, service.portVariable));
  const listening = [ports(authApp), ports(logsApp)].sort();
  if (JSON.stringify([...image.exposed].sort()) !== JSON.stringify(listening)) {
    found.push(`EXPOSE ${image.exposed.join(' ')}: the services listen on ${listening.join(' ')}`);
  }
  return found;
}

/** The Dockerfile linted (dockerfile-utils), and held to what the image must be to run as the manifests run it. */
export function checkImage(text: string, image: Image, file = 'Dockerfile'): Findings {
  const lint: Violation[] = validate(text, lintSettings).map((diagnostic) => ({
    where: `${file}:${diagnostic.range.start.line + 1}`,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
  }));
  const rules = [...environmentViolations(image), ...runtimeViolations(image), ...storageViolations(image)];
  return {
    checked: [
      `${file}: linted with dockerfile-utils; ${image.stages.length} stages; runs as ${image.user}, ` +
        `${JSON.stringify([...(image.entrypoint ?? []), ...(image.cmd ?? [])])}; volumes ${image.volumes.join(' ')}; ` +
        `ENV ${Object.keys(image.runtime.env).join(' ')} known to the services`,
    ],
    violations: [...lint, ...rules.map((message) => ({ where: file, message }))],
  };
}
