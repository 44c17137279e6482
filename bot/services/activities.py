"""Activities: `/log` (and App Home's Log form, and the stand-up's counters), `/log undo`, the
kinds a team uses and their points.

An activity counts towards targets on its kind (`act:call`) and on `points` the moment it is
logged, in the same transaction: tiers are granted once and, when it is taken back, reversed
and their posts corrected once, by bot.services.recognition as for a deal. Contests and a
wallboard read the same numbers through bot.services.metrics.achieved_by_owner (any metric,
any period, per member).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain import activities as rules
from bot.domain.admin_command import USAGE as ADMIN_USAGE
from bot.domain.grammar import ParseError
from bot.domain.text import DealRefs, TextTooLongError, clean_text
from bot.i18n import N_, _
from bot.results.activities import (
    DealNamed,
    KindShown,
    KindsListed,
    Logged,
    Unlogged,
)
from bot.results.notices import Because
from bot.services import recognition
from bot.services.actor import Actor, require_manager
from bot.services.errors import Refused
from bot.services.once import insert_unique
from models import Activity, ActivityKind, Deal, DealEvent, SalesTeam

MAX_KINDS = 20
MAX_POINTS = 1000
NO_TEAM = N_(
    "You are not in a sales team yet, so there is nowhere to log it. A manager can run "
    "`/salesbot setup` in the team's channel, or `/salesbot team add @you`."
)


def _team(actor: Actor) -> SalesTeam:
    if actor.team is None:
        raise Refused(_(NO_TEAM))
    return actor.team


# --- kinds ----------------------------------------------------------------------------


def _rows(session: Session, team: SalesTeam) -> list[ActivityKind]:
    query = (
        select(ActivityKind)
        .where(ActivityKind.team_id == team.id)
        .order_by(ActivityKind.position, ActivityKind.id)
    )
    return list(session.scalars(query))


def kinds_of(session: Session, team: SalesTeam) -> list[KindShown]:
    """The kinds the team logs, in order: its own, or the defaults if it never changed them."""
    rows = _rows(session, team)
    if not rows:
        return [KindShown(k.key, k.alias, k.points) for k in rules.DEFAULT_KINDS]
    return [KindShown(r.key, r.alias, r.points) for r in rows if r.removed_at is None]


def words_of(kinds: Sequence[KindShown]) -> dict[str, str]:
    """Every word that names one of these kinds (bot.domain.activities.kind_words)."""
    return rules.kind_words([(k.key, k.alias) for k in kinds])


def team_words(session: Session, team: SalesTeam | None) -> dict[str, str]:
    """The words of a team's kinds (none: the defaults')."""
    if team is None:
        return words_of([KindShown(k.key, k.alias, k.points) for k in rules.DEFAULT_KINDS])
    return words_of(kinds_of(session, team))


def _written_down(session: Session, team: SalesTeam, now: datetime) -> list[ActivityKind]:
    """The team's kind rows, the defaults written down first if it has none; the team row is
    locked so two managers changing kinds at once go one after the other."""
    session.scalars(select(SalesTeam.id).where(SalesTeam.id == team.id).with_for_update()).all()
    rows = _rows(session, team)
    if rows:
        return rows
    for position, kind in enumerate(rules.DEFAULT_KINDS):
        session.add(
            ActivityKind(
                workspace_id=team.workspace_id,
                team_id=team.id,
                key=kind.key,
                alias=kind.alias,
                points=kind.points,
                position=position,
                created_at=now,
            )
        )
    session.flush()
    return _rows(session, team)


def list_kinds(session: Session, team: SalesTeam) -> KindsListed:
    """The team's kinds and their points."""
    return KindsListed(team.name, tuple(kinds_of(session, team)))


def add_kind(
    session: Session,
    actor: Actor,
    team: SalesTeam,
    *,
    name: str,
    alias: str | None,
    points: int | None,
) -> KindsListed:
    """Add a kind (or bring back a removed one); its alias may take a word another kind had."""
    require_manager(actor)
    key = rules.fold_kind(name)
    folded_alias = rules.fold_kind(alias) if alias else None
    usage = _usage("activities")
    for word in (key, folded_alias):
        if word is not None and len(word) > rules.KIND_LIMIT:
            raise Refused(
                _("“{word}” is too long for a kind: {most} characters at most."),
                usage,
                word=word[:40],
                most=rules.KIND_LIMIT,
            )
    if not key or key in (*rules.MONEY_METRICS, "deals", rules.POINTS) or key[:1].isdigit():
        raise Refused(_("“{word}” cannot name a kind: choose another word."), usage, word=key)
    if points is not None and not 0 <= points <= MAX_POINTS:
        raise Refused(_("Points are a whole number from 0 to {most}."), usage, most=MAX_POINTS)
    rows = _written_down(session, team, actor.now)
    live = [r for r in rows if r.removed_at is None]
    existing = next((r for r in rows if r.key == key), None)
    if existing is not None and existing.removed_at is None:
        raise Refused(_("{team} already logs “{word}”."), usage, team=team.name, word=key)
    means = next((r for r in live if r.alias == key), None)
    if means is not None:
        raise Refused(
            _("“{word}” already means {kind} here: choose another name."),
            usage,
            word=key,
            kind=means.key,
        )
    clash = next((r for r in live if folded_alias == r.key), None)
    if clash is not None:
        raise Refused(
            _("“{word}” is the name of another kind here."), usage, word=folded_alias or ""
        )
    if len(live) >= MAX_KINDS:
        raise Refused(_("A team logs {most} kinds at most."), usage, most=MAX_KINDS)
    took = None
    if folded_alias is not None:
        owner = next((r for r in live if r.alias == folded_alias), None)
        if owner is not None:
            owner.alias = None
            took = (folded_alias, owner.key)
    if existing is not None:
        existing.removed_at = None
        existing.alias = folded_alias
        existing.points = existing.points if points is None else points
        existing.position = max(r.position for r in rows) + 1
    else:
        session.add(
            ActivityKind(
                workspace_id=team.workspace_id,
                team_id=team.id,
                key=key,
                alias=folded_alias,
                points=1 if points is None else points,
                position=max((r.position for r in rows), default=-1) + 1,
                created_at=actor.now,
            )
        )
    session.flush()
    return KindsListed(team.name, tuple(kinds_of(session, team)), "added", key, took)


def remove_kind(session: Session, actor: Actor, team: SalesTeam, name: str) -> KindsListed:
    """Stop logging a kind (what was logged of it stays, and so do its targets)."""
    require_manager(actor)
    key = rules.fold_kind(name)
    rows = _written_down(session, team, actor.now)
    words = words_of([KindShown(r.key, r.alias, r.points) for r in rows if r.removed_at is None])
    row = next((r for r in rows if r.key == words.get(key) and r.removed_at is None), None)
    if row is None:
        raise Refused(
            _("{team} logs no “{word}”. The kinds are: {kinds}."),
            _usage("activities"),
            team=team.name,
            word=name[:40],
            kinds=", ".join(dict.fromkeys(words.values())),
        )
    row.removed_at = actor.now
    session.flush()
    return KindsListed(team.name, tuple(kinds_of(session, team)), "removed", row.key)


def set_points(
    session: Session, actor: Actor, team: SalesTeam, points: Sequence[tuple[str, int]]
) -> KindsListed:
    """Set kinds' points for the scorecard; what was logged keeps the points it scored."""
    require_manager(actor)
    rows = _written_down(session, team, actor.now)
    live = [r for r in rows if r.removed_at is None]
    words = words_of([KindShown(r.key, r.alias, r.points) for r in live])
    by_key = {r.key: r for r in live}
    for word, value in points:
        key = words.get(rules.fold_kind(word))
        if key is None:
            raise Refused(
                _("“{word}” is not an activity kind here. The kinds are: {kinds}."),
                _usage("points"),
                word=word[:40],
                kinds=", ".join(by_key),
            )
        if not 0 <= value <= MAX_POINTS:
            raise Refused(
                _("Points are a whole number from 0 to {most}."), _usage("points"), most=MAX_POINTS
            )
        by_key[key].points = value
    session.flush()
    return KindsListed(team.name, tuple(kinds_of(session, team)), "points")


def _usage(verb: str) -> str:
    return ADMIN_USAGE[verb]


# --- logging --------------------------------------------------------------------------


def log_command(session: Session, actor: Actor, text: str) -> Logged | Unlogged:
    """Carry out `/log <text>` (help is the handler's): log, or take back the last one."""
    team = _team(actor)
    kinds = kinds_of(session, team)
    parsed = rules.parse_log(text, words_of(kinds))
    if isinstance(parsed, ParseError):
        raise Refused.parse_error(parsed)
    if isinstance(parsed, rules.LogUndo):
        return undo_last(session, actor)
    if isinstance(parsed, rules.LogHelp):
        raise Refused(_("Say what you did, e.g. `/log call`."), rules.USAGE["log"])
    deal, note = None, parsed.note
    if parsed.deal_number is not None:
        deal = _deal_by_number(session, actor, parsed.deal_number)
    elif parsed.customer is not None:
        deal = _deal_by_customer(session, actor, parsed.customer)
        if deal is None:
            note = parsed.note_with_customer
    kind = next(k for k in kinds if k.key == parsed.kind)
    return log(session, actor, kind=kind, count=parsed.count, deal=deal, note=note)


def kind_named(session: Session, team: SalesTeam, key: str) -> KindShown:
    """A kind of the team by its key (a form's choice), or a refusal."""
    found = next((k for k in kinds_of(session, team) if k.key == key), None)
    if found is None:
        raise Refused(_("{team} no longer logs “{word}”."), team=team.name, word=key[:40])
    return found


def _deal_by_number(session: Session, actor: Actor, number: int) -> Deal:
    deal = session.scalars(
        select(Deal).where(
            Deal.workspace_id == actor.workspace_id,
            Deal.number == number,
            Deal.deleted_at.is_(None),
        )
    ).one_or_none()
    if deal is None:
        raise Refused(
            _("There is no deal #{number}. See your deals with `/deal list`."),
            rules.USAGE["log"],
            number=number,
        )
    mine = deal.owner_id == actor.member.id
    ours = actor.team is not None and deal.team_id == actor.team.id
    if not (mine or ours or actor.member.can_manage):
        raise Refused(
            _("Deal #{number} is neither yours nor your team's, so I did not log on it."),
            number=number,
        )
    return deal


def _deal_by_customer(session: Session, actor: Actor, customer: str) -> Deal | None:
    """The caller's (else their team's) one open deal whose customer is exactly `customer`."""
    folded = customer.casefold()
    scopes = [Deal.owner_id == actor.member.id]
    if actor.team is not None:
        scopes.append(Deal.team_id == actor.team.id)
    for scope in scopes:
        found = [
            d
            for d in session.scalars(
                select(Deal)
                .where(
                    Deal.workspace_id == actor.workspace_id,
                    Deal.closed_at.is_(None),
                    Deal.deleted_at.is_(None),
                    scope,
                )
                .order_by(Deal.id)
            )
            if d.customer.casefold() == folded
        ]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listed = DealRefs(tuple((d.number, d.customer) for d in found[:10]))
            raise Refused(
                _(
                    "“{name}” matches several deals: {listed}. Use the number, e.g. "
                    "`/log call #{id}`."
                ),
                name=customer,
                listed=listed,
                id=found[0].number,
            )
    return None


def log(
    session: Session,
    actor: Actor,
    *,
    kind: KindShown,
    count: int,
    deal: Deal | None,
    note: str,
    source: str = "command",
    form_key: str | None = None,
) -> Logged:
    """Log `count` activities of `kind` now, on `deal` if given; settles the targets on that
    kind and on points. A form's key logs once however often it is submitted."""
    team = _team(actor)
    try:
        note = clean_text(note, max_len=rules.NOTE_LIMIT)
    except TextTooLongError:
        raise Refused(
            _("The note is too long: {most} characters at most."),
            rules.USAGE["log"],
            most=rules.NOTE_LIMIT,
        ) from None
    change_id = uuid.uuid4().hex
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "member_id": actor.member.id,
        "kind": kind.key,
        "count": count,
        "points": count * kind.points,
        "deal_id": deal.id if deal else None,
        "note": note,
        "at": actor.now,
        "source": source,
        "form_key": form_key,
        "undone_at": None,
        "undone_by_id": None,
    }
    if form_key is None:
        session.add(Activity(**values))
        session.flush()
    elif insert_unique(session, Activity, values, ["form_key"]) is None:
        return _logged(session, actor, team, kind, 0, deal, note)
    if deal is not None:
        _deal_history(session, actor, deal, change_id, "log", count, kind.key, note)
    recognition.after_activity_change(
        session,
        team,
        actor.member.id,
        metrics=(rules.metric_of_kind(kind.key), rules.POINTS),
        logged_at=actor.now,
        actor=actor.member,
        now=actor.now,
        because=Because(actor_user_id=actor.member.slack_user_id, undo=False, kind="activity"),
        correction_key=change_id,
    )
    return _logged(session, actor, team, kind, count, deal, note)


def _logged(
    session: Session,
    actor: Actor,
    team: SalesTeam,
    kind: KindShown,
    count: int,
    deal: Deal | None,
    note: str,
) -> Logged:
    zone = ZoneInfo(team.timezone)
    local = actor.now.astimezone(zone)
    start = datetime.combine(local.date(), time(), zone)
    rows = session.execute(
        select(Activity.kind, func.sum(Activity.count), func.sum(Activity.points))
        .where(
            Activity.member_id == actor.member.id,
            Activity.undone_at.is_(None),
            Activity.at >= start,
        )
        .group_by(Activity.kind)
    ).all()
    today_count = sum(int(c or 0) for k, c, _p in rows if k == kind.key)
    today_points = sum(int(p or 0) for _k, _c, p in rows)
    return Logged(
        kind,
        count,
        count * kind.points,
        DealNamed(deal.number, deal.customer) if deal else None,
        note,
        today_count,
        today_points,
    )


def _deal_history(
    session: Session,
    actor: Actor,
    deal: Deal,
    change_id: str,
    action: str,
    count: int,
    kind: str,
    note: str,
) -> None:
    """An activity on a deal is a line of its history (`logged 2 calls`): it counts as a
    change, so the deal is not stale and a key deal's quiet spell ends."""
    session.add(
        DealEvent(
            workspace_id=deal.workspace_id,
            deal_id=deal.id,
            actor_id=actor.member.id,
            at=actor.now,
            change_id=change_id,
            action=action,
            field="activity",
            old_value=note or None,
            new_value=f"{count} {kind}",
        )
    )
    deal.updated_at = actor.now


def undo_last(session: Session, actor: Actor) -> Unlogged:
    """Take back the caller's last activity still standing; settles what it had earned."""
    team = _team(actor)
    last = session.scalars(
        select(Activity)
        .where(
            Activity.workspace_id == actor.workspace_id,
            Activity.member_id == actor.member.id,
            Activity.undone_at.is_(None),
        )
        .order_by(Activity.id.desc())
        .limit(1)
    ).one_or_none()
    if last is None:
        raise Refused(_("Nothing to take back: you have no activity logged."), rules.USAGE["log"])
    # Conditional: of two undos at once, one takes it back.
    taken = session.execute(
        update(Activity)
        .where(Activity.id == last.id, Activity.undone_at.is_(None))
        .values(undone_at=actor.now, undone_by_id=actor.member.id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Refused(_("That activity was just taken back."), rules.USAGE["log"])
    change_id = uuid.uuid4().hex
    deal = session.get(Deal, last.deal_id) if last.deal_id is not None else None
    if deal is not None:
        _deal_history(session, actor, deal, change_id, "unlog", last.count, last.kind, "")
    activity_team = session.get(SalesTeam, last.team_id) or team
    back = recognition.after_activity_change(
        session,
        activity_team,
        actor.member.id,
        metrics=(rules.metric_of_kind(last.kind), rules.POINTS),
        logged_at=last.at,
        actor=actor.member,
        now=actor.now,
        because=Because(
            actor_user_id=actor.member.slack_user_id,
            undo=True,
            kind="activity",
            amount=Decimal(last.count),
            metric=rules.metric_of_kind(last.kind),
        ),
        correction_key=change_id,
    )
    shown = next(
        (k for k in kinds_of(session, activity_team) if k.key == last.kind),
        KindShown(last.kind, None, 0),
    )
    named = DealNamed(deal.number, deal.customer) if deal else None
    return Unlogged(shown, last.count, named, back.rewards)


# --- App Home's Log form --------------------------------------------------------------


def log_form(session: Session, actor: Actor, number: int) -> tuple[Deal, list[KindShown]]:
    """What the Log form of a deal shows: the deal (it must be the caller's to log on) and
    the team's kinds."""
    team = _team(actor)
    kinds = kinds_of(session, team)
    if not kinds:
        raise Refused(_("{team} logs no kinds of activity yet."), team=team.name)
    return _deal_by_number(session, actor, number), kinds


def log_on_deal(
    session: Session,
    actor: Actor,
    number: int,
    *,
    kind: str,
    count: int,
    note: str,
    form_key: str | None,
) -> Logged:
    """Log what the Log form says, on its deal, once per form."""
    team = _team(actor)
    deal = _deal_by_number(session, actor, number)
    return log(
        session,
        actor,
        kind=kind_named(session, team, kind),
        count=count,
        deal=deal,
        note=note,
        source="home",
        form_key=form_key,
    )
