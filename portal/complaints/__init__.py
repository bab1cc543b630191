"""政务失信投诉: a public form without an account, a receipt (number + secret) to follow it, the credit office's flow
已提交 → 已受理 | 不予受理 → 已转办 → 部门已反馈 → 已办结 with working-day deadlines, and, with consent, the closed
complaint published anonymised."""
