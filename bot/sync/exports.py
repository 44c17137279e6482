"""Importing a CRM's own deals export (`salesbot import deals FILE --from CRM`, or a file a
manager shares in the bot's DM): Slack is asked who the export's owners are (by e-mail, else
by the directory's real and display names) outside any transaction, then the rows go in
through bot/services/crm_import.py in one transaction: all of them, or none.
"""

from __future__ import annotations

import logging
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.db import reading, transaction
from bot.domain.crm_exports import ExportFormat, detect, formats
from bot.domain.crm_exports.sheet import Sheet, Unreadable, read_sheet
from bot.i18n import _, use_language
from bot.redirects import RedirectRefused, opener
from bot.results.crm_import import CrmImportReport, OwnerMatch
from bot.runtime import Runtime
from bot.services import crm_import, deal_imports, notices
from bot.services.errors import Refused
from bot.services.language import member_language
from bot.slack.directory import look_up_email
from bot.unit_of_work import owe_notices, unit
from bot.views import crm_import as views
from models import DealImport, Member, SalesTeam

log = logging.getLogger(__name__)

# A deals export of a few thousand rows is well under this; anything bigger is not one.
MAX_FILE_BYTES = 10 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30


class ImportFailed(Exception):
    """The file cannot be imported at all (unreadable, no such team, not a CRM export)."""


@dataclass(frozen=True)
class Prepared:
    """A file read and its team found: what the lookups and the import need."""

    export: ExportFormat
    sheet: Sheet
    workspace_id: str
    team_id: int


def prepare(
    runtime: Runtime,
    data: bytes,
    *,
    crm: str | None,
    channel_id: str,
    workspace_id: str | None = None,
) -> Prepared:
    """Read the file and find the team; crm None: told by the export's header."""
    try:
        sheet = read_sheet(data)
    except Unreadable as error:
        raise ImportFailed(str(error)) from None
    if crm is not None:
        export = formats()[crm]
    else:
        found = detect(sheet.header)
        if found is None:
            names = ", ".join(f.name for f in formats().values())
            raise ImportFailed(
                _("the header is not that of a deals export of {names}").format(names=names)
            )
        export = found
    with reading(runtime.sessions) as session:
        try:
            team = crm_import.find_team(session, channel_id, workspace_id)
        except Refused as refused:
            raise ImportFailed(refused.plain) from None
        return Prepared(export, sheet, team.workspace_id, team.id)


def look_up_owners(runtime: Runtime, prepared: Prepared) -> dict[str, OwnerMatch]:
    """Each owner of the export and who Slack says they are (outside any transaction)."""
    owners = crm_import.owners_of(prepared.export, prepared.sheet)
    directory: list[dict[str, Any]] | None = None
    found: dict[str, OwnerMatch] = {}
    for owner in owners:
        if "@" in owner:
            profile = look_up_email(runtime, prepared.workspace_id, owner)
            if profile == "unreachable":
                match = OwnerMatch(None, "unreachable")
            elif profile == "not_found" or profile.is_bot or profile.is_deleted:
                match = OwnerMatch(None, "not_in_slack")
            else:
                match = OwnerMatch(profile.user_id)
        else:
            if directory is None:
                directory = _directory(runtime, prepared.workspace_id)
            match = _by_name(owner, directory)
        found[crm_import.owner_key(owner)] = match
    return found


def run_import(
    runtime: Runtime,
    prepared: Prepared,
    owners: dict[str, OwnerMatch],
    *,
    default_owner: str | None,
    stage_overrides: Sequence[str],
    dry_run: bool,
) -> CrmImportReport:
    """The import in one transaction: committed when every row went in and it is no dry run."""
    request = crm_import.ImportRequest(
        export=prepared.export,
        sheet=prepared.sheet,
        workspace_id=prepared.workspace_id,
        team_id=prepared.team_id,
        owners=owners,
        default_owner=default_owner,
        stage_overrides=tuple(stage_overrides),
        dry_run=dry_run,
    )
    now = runtime.clock.now()
    with runtime.sessions() as session:
        report = crm_import.import_export(session, request, now=now)
        if report.problems or dry_run:
            session.rollback()
        else:
            # What the import took back or earned (a win undone, a tier crossed) is owed to
            # Slack in the import's own transaction, as after any change.
            owe_notices(session, now=now)
            session.commit()
    return report


def download(runtime: Runtime, workspace_id: str, file_id: str) -> tuple[str, bytes]:
    """A file shared with the bot (its name and bytes): files.info, then its url_private with
    the bot's token, as Slack requires."""
    client = runtime.client_for(workspace_id)
    try:
        info = client.files_info(file=file_id).get("file") or {}
    except (SlackApiError, SlackClientError) as error:
        raise ImportFailed(
            _("Slack would not say what file {file} is ({error})").format(
                file=file_id, error=_slack_error(error)
            )
        ) from None
    size = int(info.get("size") or 0)
    if size > MAX_FILE_BYTES:
        raise ImportFailed(_("the file is over 10 MB; a deals export is under that"))
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not url:
        raise ImportFailed(_("Slack has no download address for file {file}").format(file=file_id))
    if not _slack_host(runtime, url):
        raise ImportFailed(_("file {file} is not on Slack's file server").format(file=file_id))
    # The token goes only to Slack's own file server (checked above), over https there.
    request = urllib.request.Request(  # noqa: S310
        url, headers={"Authorization": f"Bearer {client.token}"}
    )
    try:
        # Nor does a redirect take it to another host (or from https to http).
        with opener().open(request, timeout=DOWNLOAD_TIMEOUT) as response:
            data = bytes(response.read(MAX_FILE_BYTES + 1))
    except RedirectRefused as refused:
        raise ImportFailed(
            _("Slack's file server sent file {file} elsewhere ({reason})").format(
                file=file_id, reason=refused.reason
            )
        ) from None
    except urllib.error.HTTPError as error:
        if error.code >= 500 or error.code == 429:
            raise  # Slack's side, for now: the sender tries again later
        raise ImportFailed(
            _("Slack's file server refused file {file} (HTTP {status})").format(
                file=file_id, status=error.code
            )
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailed(_("the file is over 10 MB; a deals export is under that"))
    return str(info.get("name") or file_id), data


def _slack_error(error: SlackApiError | SlackClientError) -> str:
    """Slack's error code (`file_not_found`), else the kind of failure."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "error")
    return type(error).__name__


def _slack_host(runtime: Runtime, url: str) -> bool:
    """Slack's file server (files.slack.com over https), or the host SLACK_API_URL names (the
    stand-in, in tests): the bot token is never sent anywhere else."""
    parsed = urlsplit(url)
    if parsed.scheme == "https" and (parsed.hostname or "").endswith(".slack.com"):
        return True
    api = urlsplit(runtime.settings.slack_api_url or "")
    return bool(api.hostname) and (parsed.scheme, parsed.netloc) == (api.scheme, api.netloc)


def _directory(runtime: Runtime, workspace_id: str) -> list[dict[str, Any]]:
    """Everyone in the workspace (users.list, every page); empty when Slack does not answer."""
    client = runtime.client_for(workspace_id)
    users: list[dict[str, Any]] = []
    cursor = None
    try:
        while True:
            page = client.users_list(cursor=cursor, limit=200)
            users += [u for u in page.get("members") or [] if isinstance(u, dict)]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return users
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("import.directory_failed error=%s", type(error).__name__)
        return []


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _by_name(name: str, directory: list[dict[str, Any]]) -> OwnerMatch:
    """The one active person whose real or display name is the owner's name."""
    if not directory:
        return OwnerMatch(None, "unreachable")
    wanted = _fold(name)
    matches = []
    for user in directory:
        if user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT":
            continue
        profile = user.get("profile") or {}
        names = {
            str(value)
            for value in (
                user.get("real_name"),
                profile.get("real_name"),
                profile.get("display_name"),
                profile.get("real_name_normalized"),
                profile.get("display_name_normalized"),
            )
            if value
        }
        if wanted in {_fold(n) for n in names}:
            matches.append(str(user["id"]))
    if len(matches) == 1:
        return OwnerMatch(matches[0])
    return OwnerMatch(None, "ambiguous" if matches else "not_in_slack")


def render_preview(runtime: Runtime, workspace_id: str, args: dict[str, Any]) -> dict[str, Any]:
    """The sender's PREVIEW renderer: download the shared file with the bot's token, ask
    Slack who its owners are, dry-run it, keep what was read for the press, and say so."""
    import_id = int(args["import_id"])
    with reading(runtime.sessions) as session:
        row = session.get(DealImport, import_id)
        if row is None or row.workspace_id != workspace_id:
            raise LookupError(f"no import {import_id} in {workspace_id}")
        team = session.get(SalesTeam, row.team_id)
        member = session.get(Member, row.requested_by_id)
        assert team is not None and member is not None
        language = member_language(session, member)
        file_id, options, status = row.file_id, dict(row.options), row.status
        content, stored = row.content, dict(row.owners or {})
    with use_language(language):
        try:
            if status != deal_imports.PENDING:
                # Sent again after a crash: the preview was made and its outcome stands; it is
                # shown again from what was kept, so the manager is never left without it.
                return {
                    "channel": args["channel"],
                    **_previewed_again(
                        runtime,
                        team,
                        row_options=options,
                        content=content,
                        owners=stored,
                        import_id=import_id,
                    ),
                }
            _name, data = download(runtime, workspace_id, file_id)
            prepared = prepare(
                runtime,
                data,
                crm=options.get("crm"),
                channel_id=team.channel_id,
                workspace_id=workspace_id,
            )
            owners = look_up_owners(runtime, prepared)
            report = run_import(
                runtime,
                prepared,
                owners,
                default_owner=options.get("default_owner"),
                stage_overrides=options.get("stages") or (),
                dry_run=True,
            )
        except ImportFailed as failed:
            _settle(runtime, import_id, workspace_id, deal_imports.FAILED)
            return {"channel": args["channel"], **views.cannot_import(str(failed))}
        status = deal_imports.REFUSED if report.problems else deal_imports.READY
        _settle(
            runtime,
            import_id,
            workspace_id,
            status,
            content=data,
            owners={key: [m.user_id, m.problem] for key, m in owners.items()},
            crm=prepared.export.crm,
        )
        return {"channel": args["channel"], **views.preview(report, import_id)}


def _previewed_again(
    runtime: Runtime,
    team: SalesTeam,
    *,
    row_options: dict[str, Any],
    content: bytes | None,
    owners: dict[str, Any],
    import_id: int,
) -> dict[str, Any]:
    """The preview of a file already previewed, from the bytes and owners kept with it."""
    if content is None:
        raise ImportFailed(_("it could not be read the first time; share the file again"))
    prepared = prepare(
        runtime,
        content,
        crm=row_options.get("crm"),
        channel_id=team.channel_id,
        workspace_id=team.workspace_id,
    )
    report = run_import(
        runtime,
        prepared,
        {key: OwnerMatch(value[0], value[1]) for key, value in owners.items()},
        default_owner=row_options.get("default_owner"),
        stage_overrides=row_options.get("stages") or (),
        dry_run=True,
    )
    return views.preview(report, import_id)


def _settle(
    runtime: Runtime,
    import_id: int,
    workspace_id: str,
    status: str,
    *,
    content: bytes | None = None,
    owners: dict[str, Any] | None = None,
    crm: str | None = None,
) -> None:
    with transaction(runtime.sessions) as session:
        row = deal_imports.locked(session, import_id, workspace_id)
        if row.status != deal_imports.PENDING:
            return
        row.status, row.content, row.owners = status, content, owners
        if crm is not None:
            row.options = {**row.options, "crm": crm}


def render_run(runtime: Runtime, workspace_id: str, args: dict[str, Any]) -> dict[str, Any]:
    """The sender's RUN renderer: the import itself, in the transaction that marks it done
    (so a second run, after a crash, finds it imported and does nothing again)."""
    import_id = int(args["import_id"])
    with unit(runtime) as session:
        row = deal_imports.locked(session, import_id, workspace_id)
        member = session.get(Member, row.requested_by_id)
        assert member is not None
        with use_language(member_language(session, member)):
            if row.status == deal_imports.IMPORTED:
                message = views.already_imported(row.created, row.updated)
                return {"channel": args["channel"], **message}
            if row.status != deal_imports.IMPORTING or row.content is None:
                # Already ended another way (sent again after a crash): said once, never retried.
                return {
                    "channel": args["channel"],
                    **views.cannot_import(
                        _("the deals changed since the preview; share the file again")
                    ),
                }
            export = formats()[str(row.options["crm"])]
            request = crm_import.ImportRequest(
                export=export,
                sheet=read_sheet(row.content),
                workspace_id=workspace_id,
                team_id=row.team_id,
                owners={
                    key: OwnerMatch(value[0], value[1]) for key, value in (row.owners or {}).items()
                },
                default_owner=row.options.get("default_owner"),
                stage_overrides=tuple(row.options.get("stages") or ()),
            )
            with session.begin_nested() as attempt:
                report = crm_import.import_export(session, request, now=runtime.clock.now())
                if report.problems:
                    # Something changed since the preview (a stage or a member removed): what
                    # the rows would have owed goes with them.
                    attempt.rollback()
                    notices.drain(session)
            if report.problems:
                row.status = deal_imports.FAILED
            else:
                row.status, row.created, row.updated = (
                    deal_imports.IMPORTED,
                    report.created,
                    report.updated,
                )
                row.imported_at = runtime.clock.now()
            row.content = None
            message = views.imported(report)
    return {"channel": args["channel"], **message}
