"""Results pages: a poll's results (live for staff while it is open, frozen and sealed
once it closed), their CSV, and the published summary of a finalised poll.

The surveys service decides who sees what: staff of the commune see everything at
any time; anyone else a public poll's results after closing, without free text."""

import base64

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway import auth
from gateway.results_chart import (
    CHANNEL_VI,
    CHANNELS,
    households,
    option_labels,
    results_svg,
    vn_decimal,
    vn_number,
    vn_percent,
)
from gateway.results_csv import results_csv
from gateway.routes.pages import rpc
from gateway.templating import templates
from shared.contracts.surveys import (
    ACCEPTANCE_VI,
    MinutesPhotoRef,
    Photo,
    PollRef,
    PollResults,
    PollSummary,
    QuestionType,
    ResultsQuery,
)
from shared.errors import Forbidden, parse
from shared.i18n import N_, _, translate

LIVE_REFRESH_SECONDS = 30
AUTO_RELOAD = "tu-tai-lai"  # ?tu-tai-lai: the page reloads itself every 30 s
NOT_PUBLISHED = N_("Kết quả được công bố sau khi kết thúc.")


async def _actor(request: Request) -> str | None:
    staff = await auth.current_staff(request)
    return staff.username if staff else None


def _refused(request: Request, refused: Forbidden) -> Response:
    """A plain page: these results are not (yet) for the public."""
    context = {"refused": refused.detail or _(NOT_PUBLISHED)}
    return templates.TemplateResponse(request, "poll_results.html", context, status_code=403)


async def _results(request: Request) -> PollResults:
    query = parse(
        ResultsQuery,
        {"poll_id": request.path_params["poll_id"], "actor": await _actor(request)},
    )
    reply = await rpc(request).call("surveys", "get_results", query.model_dump())
    return PollResults.model_validate(reply)


async def results_page(request: Request) -> Response:
    try:
        results = await _results(request)
    except Forbidden as refused:
        return _refused(request, refused)
    staff = await auth.current_staff(request)
    context = results_view(results)
    live = bool(staff) and not results.frozen
    # Reloading by itself only when the clerk asks, and a link stops it (WCAG 2.2.1).
    context["live"] = live
    asked = AUTO_RELOAD in request.query_params
    context["refresh"] = LIVE_REFRESH_SECONDS if live and asked else None
    return templates.TemplateResponse(request, "poll_results.html", context)


async def results_csv_file(request: Request) -> Response:
    try:
        results = await _results(request)
    except Forbidden as refused:
        return _refused(request, refused)
    filename = f"ket-qua-{results.poll.id}.csv"
    return Response(
        results_csv(results),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def summary_page(request: Request) -> Response:
    ref = parse(
        PollRef, {"poll_id": request.path_params["poll_id"], "actor": await _actor(request)}
    )
    try:
        reply = await rpc(request).call("surveys", "get_summary", ref.model_dump())
    except Forbidden as refused:
        return _refused(request, refused)
    summary = PollSummary.model_validate(reply)
    context = results_view(summary.results)
    questions = {question.id: question.text for question in summary.poll.questions}
    context.update(
        summary=summary,
        explanations=[
            {
                "question": questions.get(group.question_id, group.question_id),
                "group": group,
                "acceptance": _(ACCEPTANCE_VI[group.acceptance]),
            }
            for group in summary.explanations
        ],
    )
    return templates.TemplateResponse(request, "poll_summary.html", context)


# --- what the templates show ----------------------------------------------------


def results_view(results: PollResults) -> dict:
    """Everything the results templates show, worked out here so they only lay it out."""
    poll = results.poll
    channels = [channel for channel in CHANNELS if channel in poll.channels]
    took_part = sum(results.participated.values())
    return {
        "results": results,
        "poll": poll,
        "channels": [(channel, _(CHANNEL_VI[channel])) for channel in channels],
        "took_part": took_part,
        "turnout": (  # 412/600 hộ (68,7%)
            f"{vn_number(took_part)}/{households(results.total_households)} "
            f"({vn_percent(took_part, results.total_households)})"
        ),
        "outcome_text": outcome_text(results),
        "questions": [_question_view(results, question, channels) for question in poll.questions],
        "unit_names": {unit.unit_id: unit.unit_name for unit in results.units},
        "households_of": {unit.unit_id: unit.households for unit in results.units},
        "number": vn_number,
        "percent": vn_percent,
    }


def _question_view(results: PollResults, question, channels) -> dict:
    view = {"question": question, "free_text": results.free_text.get(question.id, [])}
    if question.type == QuestionType.TEXT:
        return view
    options = option_labels(results, question.id)
    rows = []
    for option, label in options:
        by_channel = results.totals.get(question.id, {}).get(option, {})
        rows.append(
            {
                "label": label,
                "counts": [by_channel.get(channel, 0) for channel in channels],
                "total": sum(by_channel.values()),
            }
        )
    by_unit = [
        {
            "name": unit.unit_name,
            "households": unit.households,
            "totals": [
                sum(unit.counts.get(question.id, {}).get(option, {}).values())
                for option, _label in options
            ],
        }
        for unit in results.units
    ]
    mean = results.ratings.get(question.id)
    view.update(
        chart=results_svg(results, question.id),
        rows=rows,
        labels=[label for _option, label in options],
        by_unit=by_unit,
        rating=vn_decimal(mean) if mean is not None else None,
    )
    return view


def outcome_text(results: PollResults) -> str | None:
    """A decision's outcome in words, with the law's denominator (Law 10/2022 Art 21.1):
    ALL households of the scope (or all its units), not those who took part."""
    outcome = results.outcome
    if outcome is None:
        return None
    poll = results.poll
    labels = {option.id: option.label for option in poll.questions[0].options}
    if outcome.counts == "units":
        agree = sum(1 for unit in results.units if unit.agrees)
        sentence = _(
            "{verdict}: {agree} thôn, tổ dân phố tán thành, cần ít nhất {needed} "
            "trên tổng số {total} thôn, tổ dân phố ({rule})."
        )
    else:
        totals = results.totals.get(poll.questions[0].id, {})
        counts = {option: sum(totals.get(option, {}).values()) for option in poll.deciding_options}
        best = outcome.deciding_option or max(counts, key=counts.get, default=None)
        agree = counts.get(best, 0)
        sentence = _(
            "{verdict}: {agree} hộ tán thành, cần ít nhất {needed} "
            "trên tổng số {total} hộ ({rule})."
        )
    if results.frozen:
        verdict = _("Thông qua") if outcome.passes else _("Không thông qua")
    else:  # still open: say how it stands, not how it ended
        verdict = _("Đến lúc này đã đủ tỷ lệ") if outcome.passes else _("Đến lúc này chưa đủ tỷ lệ")
    if outcome.passes and len(poll.deciding_options) > 1:
        verdict += f" “{labels.get(outcome.deciding_option, outcome.deciding_option)}”"
    return sentence.format(
        verdict=verdict,
        agree=vn_number(agree),
        needed=vn_number(outcome.needed),
        total=vn_number(outcome.of_total),
        rule=translate(outcome.rule_vi),  # the service's words, in the reader's language
    )


@auth.staff_only
async def minutes_photo(request: Request) -> Response:
    """The photo of a unit's signed count minutes, beside the numbers entered."""
    ref = MinutesPhotoRef(
        actor=request.state.staff.username,
        poll_id=request.path_params["poll_id"],
        photo_id=request.path_params["photo_id"],
    )
    photo = Photo.model_validate(
        await rpc(request).call("surveys", "get_minutes_photo", ref.model_dump())
    )
    return Response(
        base64.b64decode(photo.data_base64),
        media_type=photo.content_type,
        headers={"Cache-Control": "private, max-age=3600"},
    )


routes = [
    Route("/polls/{poll_id}/photos/{photo_id}", minutes_photo, name="minutes_photo"),
    Route("/polls/{poll_id}/results", results_page, name="poll_results"),
    Route("/polls/{poll_id}/results.csv", results_csv_file, name="poll_results_csv"),
    Route("/polls/{poll_id}/summary", summary_page, name="poll_summary"),
]
