"""What a refresh runs and when: the job, the planner and its fingerprints, the asset selection,
the schedule, the sensors."""
