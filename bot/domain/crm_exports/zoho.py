"""Zoho CRM: Setup > Data Administration > Export > Deals (CSV), or a Deals list view's
Export (XLSX). Headers are the fields' labels in the exporting user's language (English or
Chinese); older editions call deals Potentials."""

from __future__ import annotations

from bot.domain.crm_exports import ExportFormat


def record_id_of(text: str) -> str:
    """The API's record id: an export writes `zcrm_` before it."""
    plain = text.strip()
    return plain.removeprefix("zcrm_") if plain.startswith("zcrm_") else plain


FORMAT = ExportFormat(
    crm="zoho",
    name="Zoho CRM",
    headers={
        "record_id": ("Record Id", "Deal Id", "Potential Id", "记录 ID", "记录ID"),
        "name": ("Deal Name", "Potential Name", "商机名称"),
        "account": ("Account Name", "客户名称"),
        "amount": ("Amount", "金额"),
        "currency": ("Currency", "货币", "币种"),
        "stage": ("Stage", "阶段"),
        "close_date": ("Closing Date", "结束日期", "预计结束日期"),
        "created_at": ("Created Time", "创建时间"),
        "owner": ("Deal Owner", "Potential Owner", "商机所有者"),
        "next_step": ("Next Step", "下一步"),
        "forecast": ("Forecast Category", "预测类别"),
        "lost_reason": ("Reason For Loss", "丢单原因"),
    },
    open_stages=(
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ),
    lost=("Closed Lost to Competition", "Closed-Lost to Competition", "因竞争丢单"),
    # Zoho writes dates as the exporting user's format; ISO and day-first are its defaults.
    date_order="dmy",
    record_id_of=record_id_of,
)
