"""The AI attendant: engines, tools on the SGP, guardrails and the hand-off policy (see docs/ai.md)."""
