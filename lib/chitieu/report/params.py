"""Report parameters: ``params/<locality>.yaml``, validated (pydantic) before any kernel starts.

Only plain JSON types reach a notebook: papermill escapes values but not names, and injects numpy scalars,
paths and dates unsafely (see ECOSYSTEM notes), so every name is fixed by this model and every value is checked.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chitieu.config import params_dir
from chitieu.io.data import LOCALITY_ID, load_localities

__all__ = ["ScenarioParam", "ReportParams", "load_params", "ParamsError", "params_dir"]


class ParamsError(ValueError):
    """Invalid parameters; the message names the file and the field."""


class ScenarioParam(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80, description="nhãn kịch bản")
    pace_pct: float | None = Field(None, ge=-100, le=1000, description="tăng x%/năm")
    pace_units: float | None = Field(None, description="tăng y đơn vị/năm")
    historical_delta_pct: float | None = Field(None, ge=-100, le=100, description="nhịp lịch sử ± z điểm %")

    @field_validator("pace_units")
    @classmethod
    def _finite(cls, v):
        if v is not None and (v != v or v in (float("inf"), float("-inf"))):
            raise ValueError("phải là số hữu hạn")
        return v


class ReportParams(BaseModel):
    """The parameters of ``notebooks/locality_report.ipynb``."""

    model_config = ConfigDict(extra="forbid")
    locality: str = Field(pattern=LOCALITY_ID.pattern, max_length=60)
    year: int = Field(2025, ge=2000, le=2100, description="năm cuối nhiệm kỳ đánh giá")
    horizon: int = Field(2030, ge=2000, le=2100, description="năm mục tiêu dự báo")
    language: Literal["vi"] = "vi"  # labels are Vietnamese; no English report exists yet, so "en" is refused
    scenarios: list[ScenarioParam] = Field(default_factory=list, max_length=10)

    def notebook_parameters(self) -> dict:
        """Plain JSON values, keyed by the names of the notebook's parameters cell."""
        return {"locality": self.locality, "year": int(self.year), "horizon": int(self.horizon),
                "language": self.language,
                "scenarios": [s.model_dump(exclude_none=True) for s in self.scenarios]}


def load_params(locality: str, folder: Path | None = None, *, known: set[str] | None = None) -> ReportParams:
    """Read and validate ``params/<locality>.yaml``; a locality without a file gets the defaults."""
    if not LOCALITY_ID.match(locality or ""):
        raise ParamsError(f"mã địa phương không hợp lệ: {locality!r} (chỉ chữ thường, số và '-')")
    known = known if known is not None else set(load_localities()["id"])
    if locality not in known:
        raise ParamsError(f"không có địa phương '{locality}' trong data/localities.csv; có: {', '.join(sorted(known))}")
    path = (folder or params_dir()) / f"{locality}.yaml"
    raw: dict = {"locality": locality}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise ParamsError(f"{path}: tệp không phải UTF-8 (save it as UTF-8 text)") from None
        except OSError as exc:
            raise ParamsError(f"{path}: không đọc được tệp: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            raise ParamsError(f"{path}: không đọc được YAML: {exc}") from None
        if not isinstance(loaded, dict):
            raise ParamsError(f"{path}: cần một bảng khóa: giá trị (a mapping)")
        raw.update(loaded)
    try:
        params = ReportParams.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}, trường '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in exc.errors()]
        raise ParamsError("\n".join(lines)) from None
    if params.locality != locality:
        raise ParamsError(f"{path}, trường 'locality': '{params.locality}' khác tên tệp '{locality}'")
    return params
