"""What the tests share: factories, the browser, the preview's helpers, and test-only oracles."""
