-- 0005_scheduler: progress of the work that must happen once for the whole
-- site, whatever the number of nodes (publishing what is due, and later the
-- mail outbox). The node that holds the job's lock advances last_run.
CREATE TABLE scheduler_state (
  job TEXT PRIMARY KEY,               -- 'publish'
  last_run BIGINT NOT NULL            -- Unix seconds up to which the job is done
);
CREATE INDEX articles_published ON articles (published_at);
