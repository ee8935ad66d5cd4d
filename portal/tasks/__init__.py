"""Work done off the request path: a durable task queue in DynamoDB.

A request that must cause slow or revealing work (sending a sign-in code by
SMS, later: telling an owner their repair was acknowledged) writes a *task*
in the same transaction as its own changes, then asks a dispatcher to run it.
The task is the promise; the dispatcher only says "soon". Whatever happens to
the dispatch (a failed Lambda invoke, a crash), the scheduled sweep
(:meth:`~portal.tasks.runner.TaskRunner.run_due`, every minute) runs what is due.

- :mod:`portal.tasks.queue`: the task item, its lifecycle and its named conditions.
- :mod:`portal.tasks.runner`: claims a task (a lease), runs its handler, then
  completes, retries with back-off, or gives up.
- :mod:`portal.tasks.dispatch`: how "soon" happens in each stage.
"""
