"""HubSpot: Deals > Export (all properties or the view's columns), CSV or XLSX."""

from __future__ import annotations

from bot.domain.crm_exports import ExportFormat

FORMAT = ExportFormat(
    crm="hubspot",
    name="HubSpot",
    headers={
        "record_id": ("Record ID", "Deal ID"),
        "name": ("Deal Name",),
        "account": ("Associated Company", "Associated Company (Primary)", "Company name"),
        "amount": ("Amount",),
        "currency": ("Currency", "Deal currency code"),
        "stage": ("Deal Stage",),
        "close_date": ("Close Date",),
        "created_at": ("Create Date",),
        "owner": ("Deal owner",),
        "owner_email": ("Deal owner email",),
        "next_step": ("Next step",),
        "forecast": ("Forecast category",),
        "lost_reason": ("Closed lost reason",),
    },
    # The default "Sales Pipeline".
    open_stages=(
        "Appointment Scheduled",
        "Qualified To Buy",
        "Presentation Scheduled",
        "Decision Maker Bought-In",
        "Contract Sent",
    ),
)
