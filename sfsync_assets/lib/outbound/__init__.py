"""Push-back of golden records to Salesforce: plan against a ledger, write within budget, record every answer."""
