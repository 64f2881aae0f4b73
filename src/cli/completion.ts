// `vxvem completion bash|zsh`: shell completion scripts made by walking the command tree, so they
// complete exactly the commands, subcommands and flags that parse. Commander has no completion
// of its own; the scripts carry the tree as tables and a small function that walks the words typed.
import type { Command, Option } from 'commander';
import { UsageError } from './args.js';
import { commandPath } from './define.js';

/** What can follow a command: its subcommands (or its argument's fixed words) and its flags. */
interface CompletionNode {
  /** "vxvem", "vxvem net", "vxvem net create"... */
  path: string;
  words: string[];
  flags: string[];
  /** The flags that take a value (the next word is that value). */
  valued: string[];
}

const takesValue = (o: Option): boolean => o.required || o.optional;

/** Every command of the tree, with what may follow it; `global` are the root's flags that stand anywhere. */
function completionNodes(root: Command, global: readonly string[]): CompletionNode[] {
  const out: CompletionNode[] = [];
  const visit = (c: Command): void => {
    const path = c === root ? 'vxvem' : `vxvem ${commandPath(c)}`;
    const options = c.options.filter((o) => !o.hidden && o.long);
    const fixed = c.name() === 'completion' && c.parent === root ? [...SHELLS] : c.name() === 'help' && c.parent === root ? root.commands.map((x) => x.name()) : [];
    out.push({
      path,
      words: [...c.commands.map((x) => x.name()), ...fixed],
      flags: [...new Set([...options.map((o) => o.long!), ...global, '--help'])],
      valued: [...new Set([...options.filter(takesValue).map((o) => o.long!), ...global.filter((g) => root.options.some((o) => o.long === g && takesValue(o)))])],
    });
    c.commands.forEach(visit);
  };
  visit(root);
  return out;
}

const SHELLS = ['bash', 'zsh'] as const;

/** The table `name` mapping each command's path to its words, space-separated and space-padded. */
function table(shell: 'bash' | 'zsh', name: string, nodes: CompletionNode[], pick: (n: CompletionNode) => string[]): string {
  const rows = nodes.map((n) => (shell === 'bash' ? `  ['${n.path}']=' ${pick(n).join(' ')} '` : `  '${n.path}' ' ${pick(n).join(' ')} '`));
  return `${name}=(\n${rows.join('\n')}\n)`;
}

function tables(shell: 'bash' | 'zsh', nodes: CompletionNode[]): string {
  return [
    table(shell, '_vxvem_words', nodes, (n) => n.words),
    table(shell, '_vxvem_flags', nodes, (n) => n.flags),
    table(shell, '_vxvem_valued', nodes, (n) => n.valued),
  ].join('\n');
}

function bash(nodes: CompletionNode[]): string {
  return `# bash completion for vxvem, made by \`vxvem completion bash\` from the command definitions.
# Install: vxvem completion bash > /etc/bash_completion.d/vxvem (or: source <(vxvem completion bash))
declare -gA _vxvem_words _vxvem_flags _vxvem_valued
${tables('bash', nodes)}

_vxvem() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} path=vxvem w i
  # The command typed so far: words that are subcommands, skipping flags and their values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == -* ]]; then
      if [[ $w != *=* && \${_vxvem_valued[$path]} == *" $w "* ]]; then ((i++)); fi
    elif [[ \${_vxvem_words[$path]} == *" $w "* && -n \${_vxvem_flags[$path $w]} ]]; then
      path+=" $w"
    fi
  done
  if ((COMP_CWORD > 1)) && [[ \${_vxvem_valued[$path]} == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur")) # a flag's value: a file is the likeliest
  elif [[ $cur == -* || -z \${_vxvem_words[$path]// } ]]; then
    COMPREPLY=($(compgen -W "\${_vxvem_flags[$path]}" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "\${_vxvem_words[$path]}" -- "$cur"))
  fi
}
complete -F _vxvem vxvem
`;
}

function zsh(nodes: CompletionNode[]): string {
  return `#compdef vxvem
# zsh completion for vxvem, made by \`vxvem completion zsh\` from the command definitions.
# Install: vxvem completion zsh > "\${fpath[1]}/_vxvem" (or, after compinit: source <(vxvem completion zsh))
typeset -gA _vxvem_words _vxvem_flags _vxvem_valued
${tables('zsh', nodes)}

_vxvem() {
  local cmdpath=vxvem w i
  # The command typed so far: words that are subcommands, skipping flags and their values.
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if [[ $w == -* ]]; then
      if [[ $w != *=* && \${_vxvem_valued[$cmdpath]} == *" $w "* ]]; then ((i++)); fi
    elif [[ \${_vxvem_words[$cmdpath]} == *" $w "* && -n \${_vxvem_flags[$cmdpath $w]} ]]; then
      cmdpath+=" $w"
    fi
  done
  if [[ \${_vxvem_valued[$cmdpath]} == *" \${words[CURRENT-1]} "* ]]; then
    _files
  elif [[ \${words[CURRENT]} == -* || -z \${_vxvem_words[$cmdpath]// } ]]; then
    compadd -- \${=_vxvem_flags[$cmdpath]}
  else
    compadd -- \${=_vxvem_words[$cmdpath]}
  fi
}

if [[ \${funcstack[1]} == _vxvem ]]; then _vxvem "$@"; else compdef _vxvem vxvem; fi
`;
}

/** The completion script for `shell`. */
export function completionScript(root: Command, shell: string | undefined, global: readonly string[]): string {
  if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`completion: expected ${SHELLS.join(' or ')}, got ${JSON.stringify(shell ?? '')}`);
  const nodes = completionNodes(root, global);
  return shell === 'bash' ? bash(nodes) : zsh(nodes);
}
