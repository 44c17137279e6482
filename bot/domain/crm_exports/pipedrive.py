"""Pipedrive: Deals list view > ... > Export filter results, CSV or Excel. Every header of a
deals export starts `Deal - ` (the organization's and person's columns with their own)."""

from __future__ import annotations

from bot.domain.crm_exports import ExportFormat

FORMAT = ExportFormat(
    crm="pipedrive",
    name="Pipedrive",
    headers={
        "record_id": ("Deal - ID", "ID"),
        "name": ("Deal - Title", "Title"),
        "account": ("Deal - Organization", "Organization - Name", "Organization"),
        "amount": ("Deal - Value", "Value"),
        "currency": ("Deal - Currency", "Currency"),
        "stage": ("Deal - Stage", "Stage"),
        "status": ("Deal - Status", "Status"),
        "close_date": ("Deal - Expected close date", "Expected close date"),
        "closed_at": ("Deal - Won time", "Deal - Lost time", "Deal - Deal closed on"),
        "created_at": ("Deal - Deal created", "Deal created"),
        "owner": ("Deal - Owner", "Owner"),
        "next_step": ("Deal - Next activity subject",),
        "next_step_date": ("Deal - Next activity date",),
        "lost_reason": ("Deal - Lost reason", "Lost reason"),
    },
    # The default pipeline; a deal's outcome is its status (Open, Won, Lost), not a stage.
    open_stages=(
        "Qualified",
        "Contact Made",
        "Demo Scheduled",
        "Proposal Made",
        "Negotiations Started",
    ),
)
