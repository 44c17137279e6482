"""纷享销客 (fxiaoke): 商机 list > 导出 (XLSX). Headers are the fields' Chinese labels."""

from __future__ import annotations

from bot.domain.crm_exports import ExportFormat

FORMAT = ExportFormat(
    crm="fxiaoke",
    name="纷享销客",
    headers={
        "record_id": ("商机编号", "数据ID", "唯一性ID", "_id", "编号"),
        "name": ("商机名称",),
        "account": ("客户名称",),
        "amount": ("商机金额", "销售金额", "金额"),
        "currency": ("币种",),
        "stage": ("销售阶段", "商机阶段", "阶段"),
        "status": ("阶段状态", "商机状态", "状态"),
        "close_date": ("结单日期", "预计成交日期", "预计结单日期"),
        "created_at": ("创建时间",),
        "owner": ("负责人",),
        "next_step": ("下一步计划", "下一步"),
        "forecast": ("预测类别",),
        "lost_reason": ("输单原因", "输单描述"),
    },
    # The default 商机 sales process.
    open_stages=("验证客户", "需求确定", "方案/报价", "谈判审核"),
    won=("赢单",),
    lost=("输单", "无效"),
)
