/**
 * What happens to the processes eqflow starts when eqflow itself stops. Implementation processes are spawned in
 * their own process groups (so a Ctrl-C at the terminal never reaches them half-way through an answer); every group
 * is registered here, from the main thread and from worker threads alike (a BroadcastChannel carries the ids), and
 * is killed when node exits and when a SIGINT, SIGTERM or SIGHUP arrives — a signal death skips `process.on('exit')`.
 *
 * Commands that have results to save register a saver with `onInterrupt`: the first signal kills every group,
 * saves, prints one line and exits with 128 + the signal number; a second signal exits at once. Without a saver,
 * a signal kills the groups and then takes its default course (so a library user's own handlers still decide).
 */
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

/** The signals eqflow handles, with their numbers (exit code 128 + n, the shell convention). */
export const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type HandledSignal = keyof typeof SIGNAL_NUMBERS;
const SIGNALS = Object.keys(SIGNAL_NUMBERS) as HandledSignal[];

/** Exit code of a run stopped by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). */
export const signalExitCode = (signal: HandledSignal): number => 128 + SIGNAL_NUMBERS[signal];

/** Saves what a command finished and returns the one line that says where; its synchronous part runs before any process is killed. */
export type SavePartial = (signal: HandledSignal) => Promise<string>;

const groups = new Set<number>();
const CHANNEL = 'eqflow:process-groups';
type GroupMessage = { add: number } | { remove: number };
let channel: BroadcastChannel | null = null;

/** Kills the process group `pid` (the shell and all it started), ignoring one already gone. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL'); // spawned detached: pid is the group id, so the shell and all it started go
  } catch {
    // already gone
  }
}

/** Kills every registered process group (synchronously); returns how many there were. */
export function killAllGroups(): number {
  const n = groups.size;
  for (const pid of groups) killGroup(pid);
  groups.clear();
  return n;
}

/** The channel between threads: workers announce their groups, the main thread keeps the set it kills. */
function connect(): BroadcastChannel {
  if (channel) return channel;
  channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  if (isMainThread) {
    channel.onmessage = (e: unknown) => {
      const m = (e as { data?: GroupMessage }).data;
      if (m && 'add' in m && typeof m.add === 'number') groups.add(m.add);
      else if (m && 'remove' in m && typeof m.remove === 'number') groups.delete(m.remove);
    };
  }
  return channel;
}

/** Registers the process group `pid` (a child spawned with `detached: true`) to be killed when eqflow stops. */
export function registerGroup(pid: number): void {
  groups.add(pid);
  installBaseHandlers();
  if (!isMainThread) connect().postMessage({ add: pid } satisfies GroupMessage);
}

/** The group `pid` has exited (or was killed by its owner): forget it. */
export function unregisterGroup(pid: number): void {
  groups.delete(pid);
  if (!isMainThread) connect().postMessage({ remove: pid } satisfies GroupMessage);
}

interface Saver {
  who: string;
  save: SavePartial;
}
const savers: Saver[] = [];
let baseInstalled = false;
let interrupting: HandledSignal | null = null;

/** Runs on every handled signal: kills the groups, then saves and exits (a saver is registered) or re-raises. */
function onSignal(signal: HandledSignal): void {
  const code = signalExitCode(signal);
  if (interrupting !== null) {
    // a second signal while saving: stop now (the exit hook kills whatever is left)
    killAllGroups();
    process.stderr.write(`\neqflow: ${signal} again; exiting without waiting\n`);
    process.exit(code);
  }
  const saver = savers[savers.length - 1];
  if (!saver) {
    killAllGroups();
    // nobody else listening: take the signal's default course, as if we had not been here
    if (process.listenerCount(signal) === 1) {
      process.removeListener(signal, handlers[signal]);
      process.kill(process.pid, signal);
    }
    return;
  }
  interrupting = signal;
  let saving: Promise<string>;
  try {
    saving = saver.save(signal); // its synchronous part sees the state before any process is killed
  } catch (e) {
    saving = Promise.reject(e);
  }
  const killed = killAllGroups();
  const stopped = killed > 0 ? `stopped ${killed} implementation process${killed === 1 ? '' : 'es'}; ` : '';
  saving.then(
    (line) => process.stderr.write(`\n${saver.who}: interrupted by ${signal}; ${stopped}${line}\n`),
    (e: unknown) => process.stderr.write(`\n${saver.who}: interrupted by ${signal}; ${stopped}saving partial results failed: ${e instanceof Error ? e.message : String(e)}\n`),
  ).finally(() => process.exit(code));
}

/** Whether a signal is being handled: the process is saving and about to exit, so results arriving now are not kept. */
export const isInterrupted = (): boolean => interrupting !== null;

/** Never settles once a signal is being handled (the exit is coming); resolves at once otherwise. */
export function haltIfInterrupted(): Promise<void> {
  return interrupting === null ? Promise.resolve() : new Promise<void>(() => {});
}

const handlers = Object.fromEntries(SIGNALS.map((s) => [s, () => onSignal(s)])) as Record<HandledSignal, () => void>;

/** Installs the signal handlers and the exit hook once (main thread only: a worker's groups are the main thread's to kill). */
function installBaseHandlers(): void {
  if (baseInstalled || !isMainThread) return;
  baseInstalled = true;
  connect();
  process.once('exit', () => { killAllGroups(); });
  for (const s of SIGNALS) process.on(s, handlers[s]);
}

/**
 * Until the returned release function is called, SIGINT, SIGTERM or SIGHUP kill every process group eqflow started,
 * run `save`, print its line prefixed with `who` on stderr and exit with 128 + the signal number. A failing save is
 * reported too and still exits; a second signal during the save exits at once.
 */
export function onInterrupt(who: string, save: SavePartial): () => void {
  installBaseHandlers();
  const s: Saver = { who, save };
  savers.push(s);
  return () => {
    const i = savers.indexOf(s);
    if (i >= 0) savers.splice(i, 1);
  };
}
