"""A messy enterprise with ground truth: Salesforce org, ERP database and legacy drop folder, generated from a
seed, plus the truth files that say what the right answers are. See docs/generator.md; the command is
`cli.generate`, the library entry points `pipeline.generate_company` and `mutate.mutate_company`."""
