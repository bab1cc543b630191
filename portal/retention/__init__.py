"""Retention: complainants' and objectors' personal data erased N years after their case closed (issue 20)."""
