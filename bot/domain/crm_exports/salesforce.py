"""Salesforce: a report of Opportunities > Export > Details Only (CSV or XLSX), or Data
Loader's export of Opportunity (API names). Report headers follow the user's language."""

from __future__ import annotations

from bot.domain.crm_exports import ExportFormat

FORMAT = ExportFormat(
    crm="salesforce",
    name="Salesforce",
    headers={
        "record_id": ("Opportunity ID", "Id", "业务机会 ID", "业务机会ID"),
        "name": ("Opportunity Name", "Name", "业务机会名称"),
        "account": ("Account Name", "Account.Name", "客户名", "客户名称"),
        "amount": ("Amount", "金额"),
        "currency": ("Opportunity Currency", "CurrencyIsoCode", "业务机会币种"),
        "stage": ("Stage", "StageName", "阶段"),
        "close_date": ("Close Date", "CloseDate", "结束日期"),
        "created_at": ("Created Date", "CreatedDate", "创建日期"),
        "owner": ("Opportunity Owner", "Owner Name", "Owner.Name", "业务机会所有人"),
        "owner_email": ("Owner Email", "Owner.Email"),
        "next_step": ("Next Step", "NextStep", "下一步"),
        "forecast": ("Forecast Category", "ForecastCategoryName", "预测类别"),
        "lost_reason": ("Loss Reason", "Reason Lost"),
    },
    open_stages=(
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ),
    # A report in US English writes 5/31/2026.
    date_order="mdy",
)
