"""Check-ins: answers to the day's questions, deal moves made on the way, streak rewards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.amounts import Money
from bot.domain.next_steps import NextStep
from bot.domain.stages import Stage
from bot.domain.standup import blocker_digest, streak, streak_start
from bot.i18n import _
from bot.results.notices import BlockerAdded, BlockerRaised, CheckInPosted, StreakReached
from bot.results.standup import CheckedIn, MovedDeal, StageName
from bot.services import deals, grants, notices
from bot.services.actor import Actor
from bot.services.deals import DealFields
from bot.services.directory import stages_of, team_managers
from bot.services.errors import Refused
from bot.services.language import member_language, workspace_language
from bot.services.once import insert_once
from bot.services.standups import (
    checked_days,
    ensure_day,
    member_zone,
    refresh_day,
    schedule_of,
    settings_for,
)
from bot.services.targets import holidays, require_team
from models import (
    RewardRule,
    SalesTeam,
    StandupBlocker,
    StandupPrompt,
    StandupResponse,
)

# Answers that say "no blocker".
NOTHING = re.compile(r"^\s*(no(ne|pe|thing)?|n/?a|-+|nil|没有|无|暂无|没)\s*[.!。]?\s*$", re.I)
BLOCKER_QUESTION = re.compile(r"block|阻|卡", re.I)
# A line of a text check-in naming a blocker: `blocker: …`, `阻碍：…`, `卡点:…` (any colon).
BLOCKER_LINE = re.compile(
    r"^\s*(blockers?|blocked|blocking|阻塞|阻碍|卡住|卡点)\s*[:：﹕]\s*(.+)$", re.I | re.M
)


@dataclass(frozen=True)
class Move:
    """A deal move asked for in the check-in modal, naming the deal by its number."""

    number: int
    stage: Stage | None
    amount: Decimal | None
    next_step: NextStep | None = None


def local_day(session: Session, actor: Actor, team: SalesTeam) -> date:
    """Today where the member's stand-up happens."""
    return actor.now.astimezone(member_zone(actor.member, team, settings_for(session, team))).date()


def blocker_of(questions: list[str], answers: list[tuple[str, str]]) -> str:
    """The answer to the blocker question, unless it says there is none."""
    for question, answer in answers:
        if BLOCKER_QUESTION.search(question) and answer.strip() and not NOTHING.match(answer):
            return answer.strip()
    return ""


def check_in(
    session: Session, actor: Actor, answers: list[tuple[str, str]], moves: list[Move]
) -> CheckedIn:
    """Record today's check-in once; moves are ordinary deal changes, with history.

    A blocker is told to the team's managers once: mentioned in the thread and in a DM to
    each. Checking in again changes nothing, but a blocker not raised yet today is told."""
    team = require_team(actor)
    day = local_day(session, actor, team)
    prompt = _prompt_for(session, actor, team, day)
    blocker = blocker_of([q for q, _ in answers], answers)
    values = {
        "workspace_id": team.workspace_id,
        "prompt_id": prompt.id,
        "answers": [{"q": q, "a": a} for q, a in answers],
        "blocker": blocker,
        "submitted_at": actor.now,
    }
    if not insert_once(session, StandupResponse, values, ["prompt_id"]):
        # A double-clicked submit, or a second check-in: the first one stands.
        _raise_again(session, actor, team, prompt, blocker)
        return CheckedIn(day, False, (), 0)
    moved = tuple(_move(session, actor, move) for move in moves)
    standup_day = ensure_day(session, team, day, now=actor.now)
    raised = _raise(session, actor, team, prompt, blocker)
    # The thread post goes to the team channel: in the workspace's language.
    channel_language = workspace_language(session, team.workspace_id)
    notices.record(
        session,
        CheckInPosted(
            workspace_id=team.workspace_id,
            language=channel_language,
            channel_id=team.channel_id,
            day_id=standup_day.id,
            user_id=actor.member.slack_user_id,
            answers=tuple(answers),
            moved=moved,
            blocker=blocker,
            managers=raised.managers if raised else (),
            # The day message said who missed already: this one stays missed, and late.
            late=standup_day.closed_at is not None,
        ),
    )
    refresh_day(session, team, standup_day)
    run = _streak_rewards(session, team, actor, day, channel_language)
    return CheckedIn(day, True, moved, run, blocker)


@dataclass(frozen=True)
class Raised:
    """A blocker told to the team's managers (`managers`, by Slack id) for the first time."""

    blocker_id: int
    managers: tuple[str, ...]


def _raise(
    session: Session, actor: Actor, team: SalesTeam, prompt: StandupPrompt, blocker: str
) -> Raised | None:
    """DM each of the team's managers a blocker not raised yet with this prompt (None: there
    is none, or it was raised already)."""
    if not blocker:
        return None
    digest = blocker_digest(blocker)
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "prompt_id": prompt.id,
        "digest": digest,
        "text": blocker,
        "raised_at": actor.now,
    }
    # The unique (prompt, digest) is the guarantee: a re-submission raises nothing twice.
    if not insert_once(session, StandupBlocker, values, ["prompt_id", "digest"]):
        return None
    blocker_id = session.scalars(
        select(StandupBlocker.id).where(
            StandupBlocker.prompt_id == prompt.id, StandupBlocker.digest == digest
        )
    ).one()
    # Whoever raised it knows already, manager or not.
    managers = [m for m in team_managers(session, team) if m.id != actor.member.id]
    for manager in managers:
        notices.record(
            session,
            BlockerRaised(
                workspace_id=team.workspace_id,
                # A DM to one manager: in their language.
                language=member_language(session, manager),
                manager_user_id=manager.slack_user_id,
                member_user_id=actor.member.slack_user_id,
                channel_id=team.channel_id,
                local_date=prompt.local_date,
                blocker=blocker,
                blocker_id=blocker_id,
            ),
        )
    return Raised(blocker_id, tuple(m.slack_user_id for m in managers))


def _raise_again(
    session: Session, actor: Actor, team: SalesTeam, prompt: StandupPrompt, blocker: str
) -> None:
    """A second check-in the same day with a blocker not raised yet: it goes to the thread
    and to the managers, and the day message shows it; the first answers stand."""
    raised = _raise(session, actor, team, prompt, blocker)
    if raised is None:
        return
    response = session.scalars(
        select(StandupResponse).where(StandupResponse.prompt_id == prompt.id)
    ).one()
    response.blocker = blocker
    standup_day = ensure_day(session, team, prompt.local_date, now=actor.now)
    notices.record(
        session,
        BlockerAdded(
            workspace_id=team.workspace_id,
            # In the day message's thread: in the workspace's language.
            language=workspace_language(session, team.workspace_id),
            channel_id=team.channel_id,
            day_id=standup_day.id,
            user_id=actor.member.slack_user_id,
            blocker=blocker,
            blocker_id=raised.blocker_id,
            managers=raised.managers,
        ),
    )
    refresh_day(session, team, standup_day)


def _prompt_for(session: Session, actor: Actor, team: SalesTeam, day: date) -> StandupPrompt:
    """Today's prompt, or one made now for a check-in nobody asked for yet."""
    values = {
        "workspace_id": team.workspace_id,
        "team_id": team.id,
        "member_id": actor.member.id,
        "local_date": day,
        "due_at": actor.now,
        "status": "self",
        "sent_at": None,
    }
    insert_once(session, StandupPrompt, values, ["team_id", "member_id", "local_date"])
    return session.scalars(
        select(StandupPrompt).where(
            StandupPrompt.team_id == team.id,
            StandupPrompt.member_id == actor.member.id,
            StandupPrompt.local_date == day,
        )
    ).one()


def _move(session: Session, actor: Actor, move: Move) -> MovedDeal:
    deal = deals.find_deal(session, actor, f"#{move.number}", for_update=True)
    if deal.owner_id != actor.member.id:
        raise Refused(_("Deal #{id} is not yours: move only your own deals here."), id=deal.number)
    before_stage, before_amount = deal.stage, deal.amount
    amount = None if move.amount is None else Money(move.amount, deal.currency)
    changes = DealFields(stage=move.stage, amount=amount, next_step=move.next_step)
    deals.update_deal(session, actor, deal, changes)
    stage = None
    if deal.stage != before_stage:
        # As stored: told in the team channel's thread, in the workspace's language.
        names = {s.key: StageName(s.key, s.label) for s in stages_of(session, deal.workspace_id)}
        stage = (
            names.get(before_stage, StageName(before_stage, before_stage)),
            names.get(deal.stage, StageName(deal.stage, deal.stage)),
        )
    amounts = None if deal.amount == before_amount else (before_amount, deal.amount)
    step = move.next_step
    next_step = (step.text, step.due) if step is not None and step.due is not None else None
    return MovedDeal(deal.number, deal.customer, deal.currency, stage, amounts, next_step)


def _streak_rewards(
    session: Session, team: SalesTeam, actor: Actor, day: date, channel_language: str
) -> int:
    """Celebrate each streak tier once per run of consecutive check-ins."""
    member = actor.member
    settings = settings_for(session, team)
    schedule = schedule_of(settings)
    hols = holidays(session, team)
    checked = checked_days(session, team, member, day) | {day}
    run = streak(checked, today=day, days=schedule.days, holidays=hols)
    rules = session.scalars(
        select(RewardRule).where(RewardRule.team_id == team.id, RewardRule.scope == "streak")
    )
    for rule in rules:
        if run < rule.threshold:
            continue
        start = streak_start(checked, today=day, days=schedule.days, holidays=hols) or day
        values = {
            "workspace_id": team.workspace_id,
            "team_id": team.id,
            "target_id": None,
            "member_id": member.id,
            "rule_id": rule.id,
            "subject_key": f"streak:{member.id}:{start.isoformat()}",
            "scope": "streak",
            "tier": rule.threshold,
            "name": rule.name,
            "bonus": rule.bonus,
            "currency": team.currency,
            "achieved": Decimal(run),
            "granted_at": actor.now,
        }
        grant_id = grants.give(session, values)
        if grant_id is not None:
            post_key = f"streak:{grant_id}"
            grants.announced_in(session, [grant_id], post_key)
            notices.record(
                session,
                StreakReached(
                    workspace_id=team.workspace_id,
                    # Celebrated in the team channel: in the workspace's language.
                    language=channel_language,
                    channel_id=team.channel_id,
                    post_key=post_key,
                    member_user_id=member.slack_user_id,
                    days=run,
                    name=rule.name,
                    bonus=rule.bonus,
                    currency=team.currency,
                ),
            )
    return run


def text_answers(questions: list[str], text: str) -> list[tuple[str, str]]:
    """A DM reply as answers: the whole text as the update, and a `blocker: …` line, if any."""
    answers = [(questions[0] if questions else _("Update"), text.strip())]
    found = BLOCKER_LINE.search(text)
    blocker_question = next((q for q in questions if BLOCKER_QUESTION.search(q)), None)
    if found and blocker_question:
        answers.append((blocker_question, found.group(2).strip()))
    return answers


def has_prompt_today(session: Session, actor: Actor) -> bool:
    """True when today's prompt was sent and is still unanswered (a DM reply answers it)."""
    team = actor.team
    if team is None:
        return False
    day = local_day(session, actor, team)
    prompt = session.scalars(
        select(StandupPrompt).where(
            StandupPrompt.team_id == team.id,
            StandupPrompt.member_id == actor.member.id,
            StandupPrompt.local_date == day,
            StandupPrompt.status == "sent",
        )
    ).one_or_none()
    if prompt is None:
        return False
    answered = session.scalars(
        select(StandupResponse.id).where(StandupResponse.prompt_id == prompt.id)
    ).first()
    return answered is None
