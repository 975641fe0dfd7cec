"""The debt report (``mllint report``): figures of a snapshot (:mod:`.figures`), the trend
over sampled commits (:mod:`.trend`), and the renderers (:mod:`.html`, :mod:`.markdown`;
JSON from :meth:`.model.Report.to_json`). The page needs the ``report`` extra (jinja2 and
matplotlib)."""
