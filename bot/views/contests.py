"""How contests read in Slack: replies to `/contest`, and the start, standings, result and
correction posts (one standings message per channel, edited; one result post, corrected)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.domain import contest_command as rules
from bot.domain.text import Mrkdwn, escape_mrkdwn
from bot.i18n import _, day
from bot.results.calls import RENDER, THREAD_OF, UPDATE_OF, WHILE_PENDING, Call
from bot.results.contests import (
    ContestCorrected,
    ContestCreated,
    ContestEnded,
    ContestFacts,
    ContestFinished,
    ContestResult,
    ContestShown,
    ContestsListed,
    ContestStarted,
    HomeContest,
    Line,
    Standings,
    StandingsChanged,
)
from bot.results.notices import Said
from bot.views.common import Message, context_block, ephemeral, section
from bot.views.metrics import metric_amount, metric_name

MEDALS = (":first_place_medal:", ":second_place_medal:", ":third_place_medal:")
SHOWN_LINES = 15


def contest_help() -> Message:
    """`/contest` alone or `/contest help`."""
    lines = [_("*Contests:* rank the team's reps, or whole teams, for a few days or weeks.")]
    lines += ["• " + rules.USAGE[verb] for verb in ("new", "list", "show", "end")]
    lines.append(
        "• "
        + _(
            'In Chinese: `/contest 新建 "十二月冲刺" 业绩 从 12月1日 到 12月31日 团队 #华东 #华南 '
            '奖品 "团队聚餐"`'
        )
    )
    text = "\n".join(lines)
    return ephemeral(text, [section(text)])


def _what(facts: ContestFacts) -> Mrkdwn:
    """`revenue · Dec 1 – Dec 31 · prize: Team dinner`."""
    parts = [
        escape_mrkdwn(metric_name(facts.metric)),
        f"{day(facts.start)} – {day(facts.end)}",
    ]
    if facts.prize:
        parts.append(_("prize: {prize}").format(prize=escape_mrkdwn(facts.prize)))
    return " · ".join(parts)


def _who(line: Line) -> Mrkdwn:
    if line.user_id:
        return f"<@{line.user_id}>"
    if line.channel_id:
        return f"<#{line.channel_id}>"
    return escape_mrkdwn(line.name)


def _score(line: Line, facts: ContestFacts) -> str:
    text = metric_amount(line.value, facts.metric, facts.currency)
    if line.percent is not None:
        return f"{line.percent}% ({text})"
    return text


def standing_lines(standings: Standings) -> list[Mrkdwn]:
    """`1. @bob ¥12k`, ties sharing a place."""
    shown = standings.lines[:SHOWN_LINES]
    lines = [f"{ln.place}. {_who(ln)} · {_score(ln, standings.contest)}" for ln in shown]
    if len(standings.lines) > len(shown):
        lines.append(_("…and {count} more").format(count=len(standings.lines) - len(shown)))
    return lines or [_("Nobody takes part yet.")]


_STATES: dict[str, Callable[[], str]] = {
    "upcoming": lambda: _("starts {day}"),
    "running": lambda: _("running, ends {day}"),
    "ending": lambda: _("over, the result comes shortly"),
    "ended": lambda: _("ended {day}"),
    "cancelled": lambda: _("called off"),
}


def _state(facts: ContestFacts) -> str:
    when = facts.start if facts.state == "upcoming" else facts.end
    worded = _STATES.get(facts.state, _STATES["running"])
    return worded().format(day=day(when))


def _title(facts: ContestFacts) -> Mrkdwn:
    return f"*{escape_mrkdwn(facts.name)}*"


def standings_message(standings: Standings) -> dict[str, Any]:
    """The standings message a channel keeps, edited as they change."""
    facts = standings.contest
    head = ":bar_chart: " + _("{contest} standings").format(contest=_title(facts))
    text = head + "\n" + "\n".join(standing_lines(standings))
    return {
        "text": _("{contest} standings").format(contest=escape_mrkdwn(facts.name)),
        "blocks": [section(text), context_block(f"{_what(facts)} · {_state(facts)}")],
    }


def result_text(standings: Standings) -> Mrkdwn:
    """The winner (or the tie), the podium and the prize."""
    facts = standings.contest
    lines = standings.lines
    head = ":trophy: " + _("{contest} is over!").format(contest=_title(facts))
    if not lines or all(ln.value == 0 for ln in lines):
        return head + " " + _("Nobody scored, so there is no winner.")
    first = [ln for ln in lines if ln.place == lines[0].place]
    who = ", ".join(_who(ln) for ln in first)
    score = _score(first[0], facts)
    if len(first) > 1:
        verdict = _("It's a tie for first: {who}, with {score} each.").format(who=who, score=score)
    else:
        verdict = _("The winner is {who} with {score}.").format(who=who, score=score)
    podium = [
        f"{MEDALS[ln.place - 1]} {_who(ln)} · {_score(ln, facts)}"
        for ln in lines
        if 1 <= ln.place <= len(MEDALS)
    ]
    text = f"{head} {verdict}\n" + "\n".join(podium)
    if facts.prize:
        text += "\n:gift: " + _("Prize: {prize}").format(prize=escape_mrkdwn(facts.prize))
    return text


def _result_payload(standings: Standings) -> dict[str, Any]:
    text = result_text(standings)
    return {
        "text": _("{contest} is over!").format(contest=escape_mrkdwn(standings.contest.name)),
        "blocks": [section(text)],
    }


# --- replies ------------------------------------------------------------------------------


def created(result: ContestCreated) -> Message:
    facts = result.contest
    where = ", ".join(f"<#{c}>" for c in facts.channel_ids)
    text = ":checkered_flag: " + _("Contest {contest} is set: {what}, in {where}.").format(
        contest=_title(facts), what=_what(facts), where=where
    )
    if result.started:
        text += " " + _("It starts now: I posted the start and the standings.")
    else:
        text += " " + _("I'll post the start on {day}.").format(day=day(facts.start))
    return ephemeral(text, [section(text)])


def listed(result: ContestsListed) -> Message:
    if not result.contests:
        text = _("No contests yet. Start one with `/contest new`.")
        return ephemeral(text, [section(text), context_block(rules.USAGE["new"])])
    lines = [_("*Contests*")] + [
        f"• {_title(c)} · {_what(c)} · {_state(c)}" for c in result.contests
    ]
    text = "\n".join(lines)
    return ephemeral(text, [section(text)])


def shown(result: ContestShown) -> Message:
    message = standings_message(result.standings)
    if result.standings.contest.state == "ended":
        message["blocks"].insert(0, section(result_text(result.standings)))
    return ephemeral(message["text"], message["blocks"])


def ended(result: ContestEnded) -> Message:
    facts = result.contest
    if result.cancelled:
        text = ":no_entry_sign: " + _("{contest} is called off: it had not started.").format(
            contest=_title(facts)
        )
    else:
        text = ":checkered_flag: " + _(
            "{contest} now ends today: I'll announce the result when the day is over ({zone})."
        ).format(contest=_title(facts), zone=escape_mrkdwn(result.zone))
    return ephemeral(text, [section(text)])


_REPLIES: dict[type, Callable[[Any], Message]] = {
    ContestCreated: created,
    ContestsListed: listed,
    ContestShown: shown,
    ContestEnded: ended,
}


def render(result: ContestResult) -> Message:
    """The reply to `/contest`."""
    return _REPLIES[type(result)](result)


# --- notices ------------------------------------------------------------------------------


def contest_started(notice: ContestStarted) -> list[Call]:
    """The start post, and the standings message the channel keeps."""
    facts = notice.standings.contest
    if facts.kind == "teams":
        who = _("Teams: {teams}.").format(teams=", ".join(f"<#{c}>" for c in facts.channel_ids))
    else:
        who = _("Everyone in the team takes part.")
    text = ":checkered_flag: " + _("{contest} starts now! {what}. {who}").format(
        contest=_title(facts), what=_what(facts), who=who
    )
    start = {
        "channel": notice.channel_id,
        "text": _("{contest} starts now!").format(contest=escape_mrkdwn(facts.name)),
        "blocks": [section(text)],
    }
    board = {"channel": notice.channel_id, **standings_message(notice.standings)}
    return [
        Call("chat.postMessage", start, notice.post_key),
        Call("chat.postMessage", board, notice.standings_key),
    ]


# The sender's renderer of a channel's standings message: drawn when sent, from what is
# committed then, so an edit sent late (after an outage) never shows older standings.
BOARD = "contest-board"


def board_update(channel_id: str, standings_key: str, contest_id: int) -> Call:
    """The edit of a channel's standings message: at most one waits per message (owing
    another meanwhile does nothing), and it is drawn when sent."""
    payload = {
        RENDER: BOARD,
        UPDATE_OF: standings_key,
        "channel": channel_id,
        "contest_id": contest_id,
    }
    return Call("chat.update", payload, f"{WHILE_PENDING}{BOARD}:{standings_key}")


def board_payload(args: dict[str, Any], standings: Standings) -> dict[str, Any]:
    """The chat.update a BOARD row sends: the message (already resolved to its channel and
    ts) showing `standings`."""
    where: dict[str, Any] = {key: args[key] for key in ("channel", "ts") if key in args}
    return {**where, **standings_message(standings)}


def standings_changed(notice: StandingsChanged) -> list[Call]:
    """The channel's standings message, edited (once per minute slot at most)."""
    return [board_update(notice.channel_id, notice.standings_key, notice.standings.contest.id)]


def _board_key(post_key: str) -> str:
    return post_key.replace("contest-result:", "contest-standings:")


def contest_finished(notice: ContestFinished) -> list[Call]:
    """The result post (once), and the standings message showing the final numbers."""
    post = {"channel": notice.channel_id, **_result_payload(notice.standings)}
    return [
        Call("chat.postMessage", post, notice.post_key),
        board_update(notice.channel_id, _board_key(notice.post_key), notice.standings.contest.id),
    ]


def _changes(before: Sequence[Line], after: Standings) -> Mrkdwn:
    was = {(ln.user_id, ln.channel_id): ln for ln in before}
    moved = []
    for line in after.lines:
        old = was.get((line.user_id, line.channel_id))
        if old is None or (old.place, old.value) != (line.place, line.value):
            moved.append(
                _("{who} is now #{place} with {score}").format(
                    who=_who(line), place=line.place, score=_score(line, after.contest)
                )
            )
    return "; ".join(moved)


def contest_corrected(notice: ContestCorrected) -> list[Call]:
    """The result post edited to the corrected result, and one reply saying what changed."""
    why = ":leftwards_arrow_with_hook: " + _(
        "Corrected: a change to what {contest} counts (a win or an activity taken back, an "
        "amount changed) moved the final standings."
    ).format(contest=_title(notice.standings.contest))
    changes = _changes(notice.before, notice.standings)
    reply_text = f"{why} {changes}." if changes else why
    edited = {
        UPDATE_OF: notice.post_key,
        "channel": notice.channel_id,
        **_result_payload(notice.standings),
    }
    edited["blocks"] = [*edited["blocks"], context_block(why)]
    reply = {THREAD_OF: notice.post_key, "channel": notice.channel_id, "text": reply_text}
    return [
        Call("chat.update", edited, f"{notice.correction_key}:update"),
        Call("chat.postMessage", reply, f"{notice.correction_key}:reply"),
        board_update(notice.channel_id, _board_key(notice.post_key), notice.standings.contest.id),
    ]


CONTEST_RENDERERS: dict[type[Said], Callable[[Any], list[Call]]] = {
    ContestStarted: contest_started,
    StandingsChanged: standings_changed,
    ContestFinished: contest_finished,
    ContestCorrected: contest_corrected,
}


# --- App Home -----------------------------------------------------------------------------


def home_lines(contests: Sequence[HomeContest]) -> list[Mrkdwn]:
    """`December sprint · revenue · you're 2nd of 3 (¥12k) · ends Dec 31`."""
    lines = []
    for c in contests:
        if c.place is None:
            where = _("not ranked")
        elif c.kind == "teams":
            where = _("your team is #{place} of {of}").format(place=c.place, of=c.of)
        else:
            where = _("you're #{place} of {of}").format(place=c.place, of=c.of)
        value = metric_amount(c.value, c.metric, c.currency)
        when = (
            _("ended {day}").format(day=day(c.end))
            if c.state in ("ended", "ending")
            else _("ends {day}").format(day=day(c.end))
        )
        lines.append(
            f":trophy: *{escape_mrkdwn(c.name)}* · {escape_mrkdwn(metric_name(c.metric))} · "
            f"{where} ({value}) · {when}"
        )
    return lines
