#!/usr/bin/env python3
"""Regenerate docs/cli.md from the command tree bootlet itself reports (`--experimental-dump-help`), so every
command, argument and flag is documented exactly as the binary accepts it. Usage: docs/gen-cli.py [BOOTLET]"""
import json, subprocess, sys

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/bootlet"
tree = json.loads(subprocess.check_output([binary, "--experimental-dump-help"]))["command"]
out = ["# bootlet command line", "",
       "Generated from `bootlet --experimental-dump-help` by `docs/gen-cli.py`; `Tests/BootletCLITests` checks that",
       "every flag the binary accepts is listed here. Flags of `bootlet kubelet` use kubelet's names; the ones marked",
       "*bootlet* are extensions. `bootlet oci` follows runc's command line (global flags before the subcommand).", ""]

def names(a):
    ns = []
    for n in a.get("names", []):
        k, v = n["kind"], n["name"]
        ns.append(("--" if k in ("long", "longWithSingleDash") and k == "long" else "-") + v if k != "longWithSingleDash" else "-" + v)
    return ns

def walk(c, path):
    full = " ".join(path + [c["commandName"]])
    if c["commandName"] == "help":
        return
    out.append("#" * min(len(path) + 2, 4) + " `" + full + "`")
    out.append("")
    if c.get("abstract"):
        out.append(c["abstract"])
        out.append("")
    if c.get("discussion"):
        out.append(c["discussion"])
        out.append("")
    rows = []
    for a in c.get("arguments", []):
        if a.get("shouldDisplay") is False or "help" in [n["name"] for n in a.get("names", [])]:
            continue
        if a["kind"] == "positional":
            label = "`<" + a.get("valueName", "value") + ">`"
        else:
            label = ", ".join("`" + n + "`" for n in names(a))
            if a["kind"] == "option":
                label += " `<" + a.get("valueName", "value") + ">`"
        default = a.get("defaultValue")
        text = (a.get("abstract") or "").replace("|", "\\|")
        if default not in (None, "", "false") and "default" not in text:
            text += f" (default: `{default}`)"
        rows.append(f"| {label} | {text} |")
    if rows:
        out.append("| argument / flag | meaning |")
        out.append("|---|---|")
        out.extend(rows)
        out.append("")
    for s in c.get("subcommands", []):
        walk(s, path + [c["commandName"]])

walk(tree, [])
open("docs/cli.md", "w").write("\n".join(out) + "\n")
