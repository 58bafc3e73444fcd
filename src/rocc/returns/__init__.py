"""The provider reporting capability: data sets, who reports them, returns and their workflow (draft → submitted →
returned → approved) and the Excel template; approved figures become measures' observations."""
