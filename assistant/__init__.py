"""The AI attendant: engines, tools on the SGP, guardrails, hand-off policy, and its understanding (nlu)."""
