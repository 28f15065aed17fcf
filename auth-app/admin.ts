import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { ConfigError } from '../common/config.js';
import { authConfig } from './config.js';
import { readHidden } from '../common/hidden-input.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { grants, isPermission, permissionForms } from './permissions.js';
import { sessionDetails } from './routes/views.js';
import { Sessions } from './sessions.js';
import { openStore } from './store/open.js';
import { usernameKey } from './store/sql-store.js';
import type { Store, UserRecord } from './store/store.js';
import { LoginThrottle } from './throttle.js';
import { isUsername, usernameRule } from './usernames.js';

const usage = `Usage: npm run --silent auth-admin -- <command>

  user add <name> [--permission P]...   create a user; the password is typed twice, or the first line of stdin
  user passwd <name>                    set a new password (the same way); ends the user's sessions (not for
                                        users of the identity provider, who have no local password)
  user grant <name> <permission>        add a permission, e.g. logs:read or logs:read:team-a
  user revoke <name> <permission>       remove a permission
  user disable <name>                   refuse logins and end the user's sessions
  user enable <name>                    allow logins again
  user unlock <name>                    clear the user's login failures, so the login regulation lets it in at once
  user list                             one JSON object a line; "source" is local or oidc (then its issuer and
                                        the permissions its groups gave at its last sign-in); "limited" says
                                        which login limits hold it back
  sessions list <name>                  the user's live sessions, one JSON object a line: when, from where, until when
  sessions end <name>                   end all sessions of a user

The store is AUTH_DATABASE_URL (default sqlite:data/auth.db), as for the service.`;

class UsageError extends Error {}
class Refused extends Error {}

const counted = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** On a terminal the password is typed twice, unseen; otherwise (a script) it is the first line of stdin. */
async function readPassword(): Promise<string> {
  return process.stdin.isTTY ? typedPassword() : pipedPassword();
}

async function typedPassword(): Promise<string> {
  const password = await readHidden('New password: ', process.stdin, process.stderr);
  const again = password === undefined ? undefined : await readHidden('Again: ', process.stdin, process.stderr);
  if (password === undefined || again === undefined) throw new Refused('no password typed');
  if (again !== password) throw new Refused('the two passwords typed differ');
  return password;
}

async function pipedPassword(): Promise<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new Refused('no password on stdin: pipe it in, e.g. printf "%s\\n" "$PASSWORD" | ...');
}

async function newPasswordHash(): Promise<string> {
  const password = await readPassword();
  const problem = passwordProblem(password);
  if (problem) throw new Refused(`password refused: ${problem}`);
  return hashPassword(password);
}

async function existingUser(store: Store, name: string | undefined): Promise<UserRecord> {
  if (!name) throw new UsageError('a user name is required');
  const user = await store.findUser(name);
  if (!user) throw new Refused(`no user named ${name}`);
  return user;
}

function permissionArgument(permission: string | undefined): string {
  if (!permission) throw new UsageError('a permission is required, e.g. logs:read or logs:read:team-a');
  return permission;
}

/** Only what auth-app can match is granted; a revocation takes any held text, so grants made before can go. */
function checkedPermission(permission: string | undefined): string {
  const given = permissionArgument(permission);
  if (!isPermission(given)) throw new Refused(`not a permission: ${given}; a permission is ${permissionForms}`);
  return given;
}

function parseAddArgs(args: string[]): { name: string; permissions: string[] } {
  const [name, ...rest] = args;
  if (!name || !isUsername(name)) throw new UsageError(`a user name is ${usernameRule}`);
  const permissions: string[] = [];
  for (let index = 0; index < rest.length; index += 2) {
    if (rest[index] !== '--permission') throw new UsageError(`unknown option ${rest[index]}`);
    permissions.push(checkedPermission(rest[index + 1]));
  }
  return { name, permissions };
}

async function userCommand(
  store: Store,
  throttle: LoginThrottle,
  action: string | undefined,
  args: string[],
): Promise<string> {
  switch (action) {
    case 'add': {
      const { name, permissions } = parseAddArgs(args);
      const user = {
        id: randomUUID(),
        username: name,
        passwordHash: await newPasswordHash(),
        permissions,
        createdAt: Date.now(),
      };
      if (!(await store.createUser(user))) throw new Refused(`a user named ${name} exists already`);
      return `user ${name} added`;
    }
    case 'passwd': {
      const user = await existingUser(store, args[0]);
      if (user.identity) {
        throw new Refused(`${user.username} signs in through ${user.identity.issuer} and has no local password`);
      }
      await store.setPasswordHash(user.id, await newPasswordHash(), { endSessions: true });
      return `password of ${user.username} changed; its sessions ended`;
    }
    case 'grant': {
      const permission = checkedPermission(args[1]);
      const user = await existingUser(store, args[0]);
      const others = user.permissions.filter((held) => held !== permission);
      await store.setPermissions(user.id, [...others, permission]);
      return `granted ${permission} to ${user.username}`;
    }
    case 'revoke': {
      const permission = permissionArgument(args[1]);
      const user = await existingUser(store, args[0]);
      const others = user.permissions.filter((held) => held !== permission);
      /** Revoking logs:read:team-a from a holder of logs:read leaves team-a readable: the operator is told. */
      const broader = others.filter((held) => grants([held], permission));
      const still = broader.length > 0 ? `; ${broader.join(', ')} still grants it` : '';
      if (others.length === user.permissions.length) {
        const fromProvider = user.providerPermissions.includes(permission)
          ? `; it comes from ${user.identity?.issuer ?? 'the identity provider'}'s groups, to be changed there`
          : '';
        throw new Refused(`${user.username} was not granted ${permission}${fromProvider}${still}`);
      }
      await store.setPermissions(user.id, others);
      return `revoked ${permission} from ${user.username}${still}`;
    }
    case 'disable':
    case 'enable': {
      const user = await existingUser(store, args[0]);
      await store.setDisabled(user.id, action === 'disable');
      return action === 'disable'
        ? `user ${user.username} disabled; its sessions ended`
        : `user ${user.username} enabled`;
    }
    case 'unlock': {
      const user = await existingUser(store, args[0]);
      const cleared = await store.clearAccountLoginFailures(usernameKey(user.username));
      if (cleared === 0) return `${user.username} had no login failures: its logins were not limited`;
      return `${counted(cleared, 'login failure')} of ${user.username} cleared; its logins are no longer limited`;
    }
    case 'list': {
      const users = await store.listUsers();
      const lines = users.map(async ({ username, permissions, providerPermissions, identity, disabled, createdAt }) => {
        const limited = await throttle.limited(usernameKey(username));
        const source = identity
          ? { source: 'oidc', issuer: identity.issuer, providerPermissions }
          : { source: 'local' };
        return JSON.stringify({
          username,
          ...source,
          permissions,
          disabled,
          createdAt: new Date(createdAt).toISOString(),
          limited,
        });
      });
      return (await Promise.all(lines)).join('\n');
    }
    default:
      throw new UsageError(`unknown user command: ${action ?? '(none)'}`);
  }
}

const helpWords = new Set(['help', '--help', '-h']);

async function run(argv: string[]): Promise<string> {
  const [group, action, ...args] = argv;
  /** Asked for, the usage is the answer (exit 0); without a command it is bad usage (exit 2). */
  if (group !== undefined && helpWords.has(group)) return usage;
  if (group === undefined) throw new UsageError('');
  const config = authConfig(process.env);
  const store = await openStore(config.databaseUrl, {
    poolSize: 2,
    connectTimeoutMs: 5000,
    queryTimeoutMs: 5000,
  });
  try {
    if (group === 'user') {
      const throttle = new LoginThrottle(store, config.throttle, Date.now);
      return await userCommand(store, throttle, action, args);
    }
    if (group === 'sessions' && action === 'list') {
      const user = await existingUser(store, args[0]);
      const live = await new Sessions(store, config.session, Date.now).list(user.id);
      /** On stderr, so a script reading one session a line sees none. */
      if (live.length === 0) process.stderr.write(`${user.username} has no live sessions\n`);
      return live
        .map((each) => JSON.stringify({ username: user.username, ...sessionDetails(each, config.session) }))
        .join('\n');
    }
    if (group === 'sessions' && action === 'end') {
      const user = await existingUser(store, args[0]);
      return `${counted(await store.deleteUserSessions(user.id), 'session')} of ${user.username} ended`;
    }
    throw new UsageError(`unknown command: ${[group, action].filter(Boolean).join(' ')}`);
  } finally {
    await store.close();
  }
}

try {
  const output = await run(process.argv.slice(2));
  if (output) process.stdout.write(`${output}\n`);
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message ? `${error.message}\n\n` : ''}${usage}\n`);
    process.exitCode = 2;
  } else if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof Refused) {
    process.stderr.write(`refused: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
