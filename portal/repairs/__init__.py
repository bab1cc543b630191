"""信用修复: an agency officer applies for their agency's record once its minimum publication period has passed,
with evidence of fulfilment and a signed 信用承诺书; the record shows 修复申请中; staff decide within 10 working days;
approval stops publication. Repair is free."""
