"""Post-incident reviews: facts, prompt, model answer or template, Markdown."""
