"""Who someone is: cached Slack facts and who may administer the program."""
