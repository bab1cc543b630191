"""异议申诉: anyone may object to a public record (grounds, explanation, evidence, private contact); while open the
record shows 异议处理中; staff accept within 2 and verify within 10 working days; the outcome is a correction, a
revocation, or the record upheld with a reason."""
