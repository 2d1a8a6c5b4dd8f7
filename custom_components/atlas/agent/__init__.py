"""The agent's understanding and turn policy: router, rules, structured pass, dispatch, history."""
