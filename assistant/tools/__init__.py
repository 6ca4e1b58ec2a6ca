"""The attendant's tools, the same for both engines: see `registry.TOOLS` and `base.ToolBox`."""

from assistant.tools.base import Budget, MemoryOnceGuard, ToolBox, ToolCall, ToolResult
from assistant.tools.registry import TOOL_NAMES, TOOLS

__all__ = ["TOOLS", "TOOL_NAMES", "Budget", "MemoryOnceGuard", "ToolBox", "ToolCall", "ToolResult"]
