//! Mutant: keeps the buckets in a Vec of (client, bucket) pairs and finds a client by
//! scanning it: correct answers, but every call is O(clients) instead of O(1).

const TOKEN: u64 = 1000;

#[derive(Clone, Copy)]
struct Bucket {
    balance: u64,
    updated_ms: u64,
}

pub struct TokenBucket {
    full: u64,
    rate: u64,
    buckets: Vec<(String, Bucket)>,
}

impl TokenBucket {
    pub fn new(capacity: u32, refill_per_sec: u32) -> Self {
        TokenBucket {
            full: u64::from(capacity) * TOKEN,
            rate: u64::from(refill_per_sec),
            buckets: Vec::new(),
        }
    }

    fn find(&self, client: &str) -> Option<usize> {
        self.buckets.iter().position(|(name, _)| name == client)
    }

    fn balance_at(&self, client: &str, now_ms: u64) -> u64 {
        match self.find(client) {
            None => self.full,
            Some(i) => {
                let bucket = self.buckets[i].1;
                let gained = u128::from(now_ms - bucket.updated_ms) * u128::from(self.rate);
                let balance = u128::from(bucket.balance) + gained;
                balance.min(u128::from(self.full)) as u64
            }
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let balance = self.balance_at(client, now_ms);
        let allowed = balance >= TOKEN;
        let bucket = Bucket {
            balance: if allowed { balance - TOKEN } else { balance },
            updated_ms: now_ms,
        };
        match self.find(client) {
            Some(i) => self.buckets[i].1 = bucket,
            None => self.buckets.push((client.to_string(), bucket)),
        }
        allowed
    }

    pub fn tokens_milli(&self, client: &str, now_ms: u64) -> u64 {
        self.balance_at(client, now_ms)
    }

    pub fn retry_after_ms(&self, client: &str, now_ms: u64) -> Option<u64> {
        let balance = self.balance_at(client, now_ms);
        if balance >= TOKEN {
            Some(0)
        } else if self.rate == 0 || self.full < TOKEN {
            None
        } else {
            Some((TOKEN - balance).div_ceil(self.rate))
        }
    }
}
