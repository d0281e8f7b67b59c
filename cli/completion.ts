/**
 * @module `oo completion bash|zsh|fish`: shell completion scripts generated from the command tree, so
 * they list exactly the commands, aliases and flags the parser accepts. Each shell gets a table of
 * command path → words; a small function finds the path typed so far (skipping flags) and offers them.
 */
import type { Command as Commander } from "commander";
import { UsageError } from "./errors";

interface CommandNode {
  /** Canonical path, e.g. `instance ls`. */
  path: string;
  /** Every way to type it (aliases), e.g. `instance ls`, `i list`. */
  patterns: string[];
  subcommands: { name: string; summary: string }[];
  flags: string[];
}

/** The script for `shell` (bash, zsh or fish) completing `program`. */
export function completionScript(program: Commander, shell: string): string {
  const nodes = collect(program, [], [""]);
  if (shell === "bash") return bash(nodes);
  if (shell === "zsh") return `#compdef oo\n# zsh: oo completion zsh > "\${fpath[1]}/_oo" (or eval "$(oo completion zsh)")\nautoload -U +X bashcompinit && bashcompinit\n${bash(nodes)}`;
  if (shell === "fish") return fish(nodes);
  throw new UsageError(`no completion for shell "${shell}" (bash, zsh or fish)`, "oo completion");
}

function collect(cmd: Commander, path: string[], patterns: string[]): CommandNode[] {
  const node: CommandNode = {
    path: path.join(" "),
    patterns,
    subcommands: cmd.commands.map((c) => ({ name: c.name(), summary: c.summary() || c.description() })),
    flags: [...cmd.options.flatMap((o) => [o.long, o.short]), "--help"].filter((f): f is string => !!f),
  };
  const prefix = (p: string) => (p ? `${p} ` : "");
  return [node, ...cmd.commands.flatMap((c) => collect(c, [...path, c.name()], patterns.flatMap((p) => [c.name(), ...c.aliases()].map((n) => prefix(p) + n))))];
}

/** Global flags that take a value: the word after them is not a command (other words only extend a known path). */
const VALUE_FLAGS = "-e|--env|-a|--app-host|-o|--output";

function bash(nodes: CommandNode[]): string {
  const cases = nodes.map((n) => `    ${n.patterns.map((p) => JSON.stringify(p)).join("|")}) words="${[...n.subcommands.map((s) => s.name), ...n.flags].join(" ")}" ;;`).join("\n");
  return `# bash: eval "$(oo completion bash)" (e.g. in ~/.bashrc)
_oo_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" known words i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      ${VALUE_FLAGS}) ((i++)) ;;
      -*) ;;
      *) _oo_words "\${path:+$path }$w"; [ -n "$words" ] && path="\${path:+$path }$w" ;;
    esac
  done
  _oo_words "$path"
  [ "\${COMP_WORDS[COMP_CWORD-1]}" = "-o" ] || [ "\${COMP_WORDS[COMP_CWORD-1]}" = "--output" ] && words="json yaml table"
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
_oo_words() {
  words=""
  case "$1" in
${cases}
  esac
}
complete -F _oo_complete oo
`;
}

function fish(nodes: CommandNode[]): string {
  const lines = [
    "# fish: oo completion fish > ~/.config/fish/completions/oo.fish",
    "function __oo_path",
    "  set -l path",
    "  set -l skip 0",
    "  for w in (commandline -opc)[2..-1]",
    "    if test $skip = 1; set skip 0; continue; end",
    `    switch $w`,
    `      case ${VALUE_FLAGS.split("|").join(" ")}`,
    "        set skip 1",
    "      case '-*'",
    "      case '*'",
    "        set path $path $w",
    "    end",
    "  end",
    '  echo (string join " " -- $path)',
    "end",
    "complete -c oo -f",
    `complete -c oo -s o -l output -xa "json yaml table"`,
  ];
  const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;
  for (const n of nodes) {
    const cond = `-n ${quote(`contains -- (__oo_path) ${n.patterns.map((p) => JSON.stringify(p)).join(" ")}`)}`;
    for (const s of n.subcommands) lines.push(`complete -c oo ${cond} -a ${quote(s.name)} -d ${quote(s.summary.split("\n")[0]!.slice(0, 60))}`);
    for (const f of n.flags.filter((f) => f.startsWith("--") && f !== "--output")) lines.push(`complete -c oo ${cond} -l ${f.slice(2)}`);
  }
  return lines.join("\n") + "\n";
}
