"""Business rules, one module per area; each public function is one use case."""
