"""The ``email-wizard`` command line.

Start-up stays light: Textual is imported only for the TUI, and each
sub-command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from wizard import __version__
from wizard.errors import BadUsage, ExitStatus, exit_status_for

if TYPE_CHECKING:
    from wizard.engine import Session

EXIT_USAGE = ExitStatus.BAD_INPUT
MAX_MESSAGE_LINE = 300
"""A line of an error message is cut to this many characters (values are never echoed whole)."""
MAX_CA_FILE_BYTES = 1_000_000
MAX_SET_FILE_BYTES = 1_000_000
MAX_STDIN_BYTES = 4_000_000


class UsageError(BadUsage):
    """Bad input or usage: print the message, exit 2, run nothing."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"email-wizard: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also the source of the README's command-line reference)."""
    parser = _Parser(
        prog="email-wizard",
        description="Find out why email is not being delivered, and get the exact fix. "
        "With no command, starts the interactive wizard.",
    )
    parser.add_argument("--version", action="version", version=f"email-wizard {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an unexpected error, print the full traceback")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    run = sub.add_parser("run", help="run a flow headless (for CI and scripts)",
                         description="Run a flow without the TUI. Exit codes: 0 nothing wrong "
                         "found, 1 a problem was diagnosed, 2 bad input, 3 could not finish.")
    run.add_argument("flow", help="flow id (see 'list') or path to a flow file")
    run.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                     help="an input value; NAME=@PATH reads it from a file (the only way, with "
                     "--secret-env, to give a secret)")
    run.add_argument("--secret-env", action="append", default=[], metavar="NAME=VAR",
                     help="read input NAME from environment variable VAR")
    run.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                     help="send every DNS lookup (hosts to connect to included) to this server")
    run.add_argument("--authoritative", action="store_true", default=None,
                     help="ask each domain's authoritative servers directly, not the resolver")
    run.add_argument("--authoritative-port", type=int, default=53, metavar="PORT",
                     help="port at which authoritative servers are asked directly (default 53; "
                     "for test labs whose nameservers listen elsewhere)")
    run.add_argument("--ca-file", metavar="PATH", help="extra trust anchors (PEM) for TLS")
    run.add_argument("--timeout", type=float, default=None, metavar="S",
                     help="seconds each probe may take (default: the settings file's, else 10)")
    run.add_argument("--apply", action="store_true",
                     help="apply the fixes the flow allows to apply (main.cf edits): shows the "
                     "diff, keeps a timestamped backup, replaces atomically, runs 'postfix "
                     "check' and rolls back if it fails")
    run.add_argument("--choose", action="append", default=[], metavar="FIX_ID",
                     help="with --apply: of a fix step's alternatives (e.g. 'may' or "
                     "'encrypt'), apply this one; without it --apply applies none of them")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    _add_oci_options(run)

    lst = sub.add_parser("list", help="list the installed flows")
    lst.add_argument("--json", action="store_true", help="print JSON")

    val = sub.add_parser("validate", help="check flow, catalog and provider files; defects as "
                         "FILE:LINE:COL: message")
    val.add_argument("files", nargs="+", metavar="FILE")
    val.add_argument("--format", choices=("text", "github"), default="text",
                     help="'github': one '::error file=F,line=L,col=C::message' annotation "
                     "per defect (for GitHub Actions)")

    sub.add_parser("schema", help="print the JSON Schema of flow files")

    gra = sub.add_parser("graph", help="print a flow as a Mermaid or DOT graph",
                         description="Print a flow's steps and branches as a graph: sub-flows "
                         "as clusters, library fixes as 'use' nodes.")
    gra.add_argument("flow", help="flow id (see 'list') or path to a flow file")
    gra.add_argument("--format", choices=("mermaid", "dot"), default="mermaid",
                     help="mermaid (default; GitHub renders it) or dot (Graphviz)")

    prb = sub.add_parser("probes", help="the probes flows can use: parameters, outcomes, facts")
    prb.add_argument("--json", action="store_true", help="print JSON")
    prb.add_argument("--markdown", action="store_true", help="print docs/probes.md")

    exp = sub.add_parser("explain", help="explain a pasted SMTP reply or HTTPS error",
                         description="Match a pasted SMTP reply, log line, exception or HTTPS "
                         "error against the error catalog. Exit codes: 0 a catalog entry "
                         "matched, 1 only a generic explanation, 2 bad input.")
    exp.add_argument("text", nargs="+", metavar="TEXT", help="the error text; '-' reads stdin")
    exp.add_argument("--json", action="store_true", help="print one JSON object")
    for command in (run, lst, val, prb, exp):
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="on an unexpected error, print the full traceback")

    from wizard.scan_command import add_scan_parser

    _add_oci_options(add_scan_parser(sub), submit=False)
    return parser


def _short(message: str) -> str:
    """Each line of ``message`` cut in the middle to about :data:`MAX_MESSAGE_LINE` characters.

    The start says what, the end says why; a long value in between is cut.
    """
    lines = []
    for line in message.splitlines() or [""]:
        if len(line) > MAX_MESSAGE_LINE:
            keep = MAX_MESSAGE_LINE // 3
            line = (f"{line[:2 * keep]} …[{len(line) - 3 * keep} characters cut]… "
                    f"{line[-keep:]}")
        lines.append(line)
    return "\n".join(lines)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _add_oci_options(run: argparse.ArgumentParser, submit: bool = True) -> None:
    """The OCI API options (the email-wizard[oci] extra); the key passphrase comes only from
    $EMAIL_WIZARD_OCI_PASSPHRASE or the profile, never from the command line. ``submit``
    False (``scan``) leaves out the submission endpoint."""
    oci = run.add_argument_group(
        "OCI Email Delivery API (needs the email-wizard[oci] extra)",
        "Read the provider's own state (DKIM state and CNAME, approved senders, suppressions, "
        "endpoints); the key passphrase comes from $EMAIL_WIZARD_OCI_PASSPHRASE or the profile.")
    oci.add_argument("--oci-config", metavar="PATH",
                     help="OCI config file (default $OCI_CLI_CONFIG_FILE, else ~/.oci/config)")
    oci.add_argument("--oci-profile", metavar="NAME",
                     help="profile in it (default $OCI_CLI_PROFILE, else DEFAULT)")
    oci.add_argument("--oci-auth", choices=["api_key", "security_token", "instance_principal"],
                     help="how to authenticate (default api_key)")
    oci.add_argument("--oci-endpoint", metavar="URL",
                     help="control-plane endpoint (private endpoints, test servers)")
    if submit:
        oci.add_argument("--oci-submit-endpoint", metavar="URL",
                         help="HTTPS submission endpoint (default: from the email "
                         "configuration)")


def console_main() -> NoReturn:
    """The ``email-wizard`` command (and ``python -m wizard``): :func:`main` in a process of
    its own, started and ended the quick way.

    The cyclic garbage collector is off while the wizard starts — imports make many
    long-lived objects and no garbage worth a collection (3% of a short ``run``'s
    instructions) — and :func:`collect_garbage` switches it back on where long work
    begins (a run's probes, a scan, a TUI session). Once the exit handlers have run and
    the output is flushed, the process ends with :func:`os._exit`, skipping the
    interpreter's teardown of every module and object (another 6%); with other threads
    still running, or output that cannot be flushed, it exits the ordinary way (which
    reports the failed flush). Pydantic's plugins are not looked for
    (``PYDANTIC_DISABLE_PLUGINS``, unless set already): the wizard uses none, and the
    search reads the metadata of every installed package.
    """
    import gc

    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    status = main()
    import atexit
    import threading

    if threading.active_count() > 1:
        raise SystemExit(status)
    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: the descriptor was closed when Python started
                stream.flush()
    except (OSError, ValueError):
        raise SystemExit(status) from None
    os._exit(status)


def collect_garbage() -> None:
    """Switch the cyclic garbage collector back on for long work, with everything made so
    far (modules, flows, models) frozen out of its way (see :func:`console_main`)."""
    import gc

    gc.freeze()
    gc.enable()


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Entry point of the console script; the exit status.

    ``stdout``, ``stderr`` and ``environ`` replace the process's own for this call (the
    httpie way: tests run the command line in-process and read what it wrote).
    """
    with _environment(stdout, stderr, environ):
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help, --version, or argparse's usage error
            return exc.code if isinstance(exc.code, int) else int(ExitStatus.BAD_INPUT)
        try:
            if args.command is None:
                status = _tui()
            else:
                handler = {"run": _run, "list": _list, "validate": _validate,
                           "schema": _schema, "graph": _graph, "probes": _probes,
                           "explain": _explain, "scan": _scan}
                status = handler[args.command](args)
            sys.stdout.flush()
            return status
        except BaseException as exc:  # the one place an exception becomes an exit status
            if isinstance(exc, SystemExit | GeneratorExit):
                raise
            return _report(exc, debug=getattr(args, "debug", False))


@contextlib.contextmanager
def _environment(stdout: TextIO | None, stderr: TextIO | None,
                 environ: Mapping[str, str] | None) -> Iterator[None]:
    """Swap in the given streams and environment for one call, and put the real ones back."""
    saved = sys.stdout, sys.stderr, dict(os.environ) if environ is not None else None
    try:
        if stdout is not None:
            sys.stdout = stdout
        if stderr is not None:
            sys.stderr = stderr
        if environ is not None:
            os.environ.clear()
            os.environ.update(environ)
        yield
    finally:
        sys.stdout, sys.stderr = saved[0], saved[1]
        if saved[2] is not None:
            os.environ.clear()
            os.environ.update(saved[2])


def _report(exc: BaseException, debug: bool) -> int:
    """Say what ended the program in one short message; the exit status it means."""
    status = exit_status_for(exc)
    if isinstance(exc, KeyboardInterrupt):
        message = "interrupted"
    elif isinstance(exc, BadUsage):
        message = str(exc)
    elif isinstance(exc, OSError) and _is_stdout_error(exc):
        _silence_stdout()
        message = f"cannot write the output: {exc.strerror or exc}"
    else:
        message = (f"unexpected error: {type(exc).__name__}: {exc}"
                   + ("" if debug else " (run with --debug for the traceback)"))
    if debug and not isinstance(exc, KeyboardInterrupt):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    with contextlib.suppress(OSError, ValueError):
        print(f"email-wizard: {_short(message)}", file=sys.stderr)
    return int(status)


def _is_stdout_error(exc: OSError) -> bool:
    """Whether writing stdout failed (a closed pipe, a full disk), not some file we read."""
    import errno

    if isinstance(exc, BrokenPipeError):
        return True
    return exc.errno in (errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT) \
        and exc.filename is None


def _tui() -> int:
    from wizard.tui.app import run_app  # type: ignore[import-untyped,unused-ignore]

    collect_garbage()
    return int(run_app())


def _list(args: argparse.Namespace) -> int:
    from wizard.flow.listing import discover_listings

    listings, broken = discover_listings()
    rows = []
    for flow_id, (listing, source) in sorted(listings.items()):
        rows.append({"id": flow_id, "title": listing["title"],
                     "description": listing["description"], "origin": source.origin,
                     "path": str(source.path), "inputs": listing["inputs"]})
    if args.json:
        print(json.dumps({"flows": rows,
                          "broken": [str(d) for d in broken]}, indent=2))
    else:
        width = max((len(r["id"]) for r in rows), default=0)
        for row in rows:
            origin = "" if row["origin"] == "bundled" else "  (user)"
            print(f"{row['id']:<{width}}  {row['description'] or row['title']}{origin}")
        for diag in broken:
            print(f"broken: {diag}", file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from wizard.validate import validate_file

    failed = False
    for name in args.files:
        for diag in validate_file(Path(name), display=name):
            failed = True
            print(diag.github() if args.format == "github" else diag)
    return EXIT_USAGE if failed else 0


def _schema(args: argparse.Namespace) -> int:
    from wizard.flow.model import flow_json_schema

    print(json.dumps(flow_json_schema(), indent=2, sort_keys=True))
    return 0


def _find_flow(name: str) -> Any:
    """The flow ``name`` (an installed id or a file); unknown or defective is bad input."""
    from wizard.data.diagnostics import DataFileError
    from wizard.flow.loader import UnknownFlow, find_flow

    try:
        return find_flow(name)
    except UnknownFlow as exc:
        raise UsageError(str(exc)) from None
    except DataFileError as exc:
        raise UsageError(f"flow {name} has defects:\n{exc}") from None


def _graph(args: argparse.Namespace) -> int:
    from wizard.flow.graph import to_dot, to_mermaid

    flow = _find_flow(args.flow)
    sys.stdout.write(to_dot(flow) if args.format == "dot" else to_mermaid(flow))
    return 0


def _explain(args: argparse.Namespace) -> int:
    from wizard.catalog import (
        explain,
        explanation_json,
        explanation_text,
        input_problem,
        load_error_catalog,
    )
    from wizard.catalog.pasted import decode_input
    from wizard.data.bounded_read import FileRefused, read_stream
    from wizard.data.diagnostics import DataFileError

    if args.text == ["-"]:
        try:
            text = decode_input(read_stream(sys.stdin.buffer, MAX_STDIN_BYTES))
        except FileRefused as exc:
            raise UsageError(f"explain: stdin: {exc.reason}") from None
        except ValueError as exc:
            raise UsageError(f"explain: cannot read stdin: {exc}") from None
    else:
        text = " ".join(args.text)
    problem = input_problem(text)
    if problem:
        raise UsageError(f"explain: {problem}")
    try:
        catalog = load_error_catalog()
    except DataFileError as exc:
        raise UsageError(f"explain: the error catalog has defects:\n{exc}") from None
    explanation = explain(text, catalog)
    if args.json:
        print(json.dumps(explanation_json(explanation), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(explanation_text(explanation))
    return explanation.exit_code


def _scan(args: argparse.Namespace) -> int:
    from wizard.scan_command import ScanUsageError, run_scan_command

    try:
        return run_scan_command(args)
    except ScanUsageError as exc:
        raise UsageError(f"scan: {exc}") from None


def _probes(args: argparse.Namespace) -> int:
    from wizard.probes.registry import PROBES
    from wizard.probes.support.reference import probe_catalogue, probe_markdown

    if args.markdown:
        print(probe_markdown(PROBES), end="")
    elif args.json:
        print(json.dumps({"probes": probe_catalogue(PROBES)}, indent=2))
    else:
        for row in probe_catalogue(PROBES):
            print(f"{row['name']:<22} {row['description']}")
            print(f"{'':<22} outcomes: {', '.join(row['outcomes'])}")
    return 0


def _read_sets(flow_inputs: dict[str, Any], args: argparse.Namespace,
               secret_names: frozenset[str] = frozenset()) -> dict[str, str]:
    """Collect ``--set`` and ``--secret-env`` values; secrets (``secret_names``: the flow's
    secret inputs and secret ask answers) never come from argv itself."""
    from wizard.data.bounded_read import FileRefused, read_regular_file

    values: dict[str, str] = {}
    for item in args.sets:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--set {item!r}: expected NAME=VALUE")
        if value.startswith("@"):
            path = Path(value[1:]).expanduser()
            try:
                value = read_regular_file(path, MAX_SET_FILE_BYTES).decode("utf-8")
            except FileRefused as exc:
                raise UsageError(f"--set {name}=@{path}: {exc.reason}") from None
            except UnicodeDecodeError:
                raise UsageError(f"--set {name}=@{path}: cannot read: not UTF-8 text") from None
            value = value.removesuffix("\n").removesuffix("\r")
        elif name in secret_names:
            raise UsageError(f"{name} is a secret: never put it on the command line; use "
                             f"--set {name}=@FILE or --secret-env {name}=VARIABLE")
        values[name] = value
    for item in args.secret_env:
        name, sep, var = item.partition("=")
        if not sep or not name or not var:
            raise UsageError(f"--secret-env {item!r}: expected NAME=VARIABLE")
        if var not in os.environ:
            raise UsageError(f"--secret-env {name}={var}: environment variable {var} is not set")
        values[name] = os.environ[var]
    return values


def _settings() -> Any:
    """The user's settings file (flags override it); a file that does not fit is exit 2."""
    from wizard.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        raise UsageError(str(exc)) from None


def _check_ca_file(path: str) -> None:
    """A readable, bounded PEM file with at least one certificate OpenSSL accepts, else exit 2.

    Checked in a bare client context: loading the system trust store (tens of
    milliseconds) would tell nothing about the file.
    """
    import ssl

    from wizard.data.bounded_read import FileRefused, read_regular_file

    try:
        raw = read_regular_file(path, MAX_CA_FILE_BYTES)
    except FileRefused as exc:
        raise UsageError(f"--ca-file {path}: {exc.reason}") from None
    text = raw.decode("ascii", errors="replace")
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise UsageError(f"--ca-file {path}: no PEM certificate in it "
                         "(expected -----BEGIN CERTIFICATE-----)")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=text)
    except (ssl.SSLError, ValueError) as exc:
        raise UsageError(f"--ca-file {path}: not a usable PEM certificate file "
                         f"({getattr(exc, 'reason', None) or exc})") from None


def _alternative_ids(flow: Any, seen: frozenset[str] = frozenset()) -> set[str]:
    """The ids of every alternative fix ``flow`` (and the flows it runs) may offer."""
    from wizard.flow.model import FixStep, FixUse, FlowStep

    ids: set[str] = set()
    for step in flow.steps.values():
        if isinstance(step, FixStep):
            ids |= {(a.id or a.use) if isinstance(a, FixUse) else a.id
                    for a in step.alternatives}
        elif isinstance(step, FlowStep) and step.flow not in seen:
            sub = flow.subflow(step.flow)
            if sub is not None:
                ids |= _alternative_ids(sub, seen | {flow.id})
    return ids


async def _walk(session: Session) -> None:
    """Run ``session`` to its end as the event loop's main task, with no result.

    asyncio's runner formats its main task (the task's result included) when it restores
    the SIGINT handler at the end; with the session as the result that was the whole
    flow's repr, twice — a tenth of a run's own work.
    """
    from wizard.engine import run_to_end

    await run_to_end(session)


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from wizard.engine import MissingAnswer, Session
    from wizard.flow.model import ProbeStep
    from wizard.inputs import BadInput, check_inputs, check_timeout, parse_nameserver
    from wizard.ociapi.settings import OciSettingsError
    from wizard.probes.base import ProbeContext
    from wizard.probes.runner import RegistryRunner
    from wizard.report import EXIT_CODES, session_json
    from wizard.report_text import run_text

    flow = _find_flow(args.flow)
    offered = _alternative_ids(flow)
    for fix_id in args.choose:
        if fix_id not in offered:
            from wizard.data.diagnostics import did_you_mean

            raise UsageError(f"--choose {fix_id}: flow {flow.id} offers no alternative fix "
                             f"{fix_id!r}{did_you_mean(fix_id, offered)}; its alternatives: "
                             f"{', '.join(sorted(offered)) or 'none'}")
    prefs = _settings()
    timeout = args.timeout if args.timeout is not None else prefs.timeout
    try:
        check_timeout(timeout)
    except BadInput as exc:
        raise UsageError(str(exc)) from None
    ca_file = args.ca_file or prefs.ca_file
    if ca_file:
        _check_ca_file(ca_file)
    try:
        nameservers = tuple(parse_nameserver(n) for n in args.nameserver or prefs.nameservers)
        raw = _read_sets(dict(flow.inputs), args, flow.secret_names)
        raw = {**prefs.input_defaults(flow.inputs, raw), **raw}
        given = check_inputs(flow, raw)
    except BadInput as exc:
        raise UsageError(str(exc)) from None
    if not (0 < args.authoritative_port < 65536):
        raise UsageError(f"--authoritative-port {args.authoritative_port}: must be 1 to 65535")
    try:
        oci_settings = prefs.oci.resolve(
            config=args.oci_config, profile=args.oci_profile, auth=args.oci_auth,
            endpoint=args.oci_endpoint, submit_endpoint=args.oci_submit_endpoint)
    except OciSettingsError as exc:
        raise UsageError(str(exc)) from None
    authoritative = prefs.authoritative if args.authoritative is None else args.authoritative
    ctx = ProbeContext(timeout=timeout, nameservers=nameservers, ca_file=ca_file,
                       authoritative=authoritative,
                       authoritative_port=args.authoritative_port, oci=oci_settings)
    if oci_settings.enabled and any(call.probe.startswith("oci.")
                                    for step_id, step in flow.steps.items()
                                    if isinstance(step, ProbeStep)
                                    for call in step.calls(step_id).values()):
        from wizard.ociapi.client import sdk_available

        sdk_available()  # the SDK's import (seconds on a busy machine) is no probe's time
    session = Session.start(flow, given, RegistryRunner(ctx), undo=False)
    collect_garbage()
    try:
        asyncio.run(_walk(session))
    except MissingAnswer as exc:
        raise UsageError(f"flow {flow.id} asks {exc.question!r}: give the answer with "
                         f"--set {exc.var}=VALUE") from None
    result = session_json(session)
    status: int = EXIT_CODES[session.status]
    interrupted = ""
    groups: list[dict[str, Any]] = []
    if offered:  # the apply machinery loads only for a flow with alternatives, or --apply
        from wizard.apply_session import alternative_groups
        from wizard.fixes.apply_postconf import ApplyError

        try:
            groups = alternative_groups(session, args.choose)
        except ApplyError as exc:
            raise UsageError(f"--apply: {exc}") from None
    if groups:
        result["alternatives"] = groups
    if args.apply:
        status, interrupted = _apply(session, result, status, ctx, args.choose)
        for group in groups:
            if group["chosen"] is None:
                print(f"email-wizard: --apply: {group['group']} offers alternatives "
                      f"({', '.join(group['alternatives'])}): none applied; choose one with "
                      "--choose FIX_ID", file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        sys.stdout.write(run_text(result))
    if interrupted:
        print(f"email-wizard: --apply: {interrupted}", file=sys.stderr)
    return status


def _apply(session: Any, result: dict[str, Any], status: int,
           ctx: Any, choose: Sequence[str] = ()) -> tuple[int, str]:
    """Apply the fixes into ``result`` (main.cf edits, then the provider's API); an apply that
    fails after the run exits 3 (not 2)."""
    from wizard.apply_oci import apply_oci_fixes
    from wizard.apply_session import ApplyInterrupted, apply_failed, apply_session_fixes
    from wizard.fixes.apply_postconf import ApplyError
    from wizard.redaction import session_view

    redact = session_view(session).redactor
    try:
        result["applied"] = redact.value(apply_session_fixes(session, choose))
    except ApplyError as exc:
        result["applied"] = redact.value(getattr(exc, "done", []))
        result["apply_error"] = redact.text(str(exc))
        print(f"email-wizard: --apply: {result['apply_error']}", file=sys.stderr)
        return ExitStatus.COULD_NOT_FINISH, ""
    except ApplyInterrupted as exc:
        result["applied"] = redact.value(exc.done)
        return (130 if exc.signal_name == "SIGINT" else 143), redact.text(exc.message)
    result["applied"] += redact.value(apply_oci_fixes(session, ctx))
    if apply_failed(result["applied"]):
        for entry in result["applied"]:
            if entry["outcome"] not in ("applied", "unchanged"):
                print(f"email-wizard: --apply: {entry['message']}", file=sys.stderr)
        return ExitStatus.COULD_NOT_FINISH, ""
    return status, ""
