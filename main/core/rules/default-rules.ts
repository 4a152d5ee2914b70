/**
 * The rule Lockscope checks unless given a rule file: upstream 20c39819a276 ("io_uring: hold
 * uring_lock when walking link chain in io_wq_free_work()"), patch 1/3 of "Linked request fix".
 * The series' wider rule (iterate under uring_lock OR timeout_lock; modify under both) is
 * written the same way once those locks are traced.
 */
export const DEFAULT_RULES_JSON = `{
  "rules": [
    {
      "id": "io-wq-link-walk-uring-lock",
      "title": "A link walk in io-wq free work holds ctx->uring_lock",
      "source": "20c39819a276 io_uring: hold uring_lock when walking link chain in io_wq_free_work()",
      "sites": ["io_wq_free_work", "io_wq_put_work", "io_req_find_next"],
      "action": "walk",
      "requires": { "held": "uring_lock" }
    }
  ]
}
`;
