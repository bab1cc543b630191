"""The supervision workspace: one module (and blueprint) per register: the ledger, letters, court cases, meetings (约谈
and 现场督办), commitment campaigns."""
