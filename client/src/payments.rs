//! Paying for model outputs, idempotently: a re-run after a crash pays only what this payer has not
//! paid for yet.

use crate::{progress::Progress, session::to_u64, ClientError, Session};
use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::{Filter, TransactionReceipt},
};
use datanet_bindings::AttributionPool::InferencePaid;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One output to pay for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    /// keccak256 of the output text.
    pub inference_id: B256,
    /// In base units of the deployment token.
    pub amount: U256,
}

/// How to pay.
#[derive(Clone, Debug)]
pub struct PayOptions {
    /// Outputs per transaction.
    pub batch_size: usize,
    /// Pay outputs this payer already paid for again (on purpose).
    pub pay_again: bool,
    /// Where the outputs are published (`OutputsPublished` names it once per transaction), so
    /// attestors and verifiers find them from chain data; empty for none.
    pub outputs_uri: String,
}

impl Default for PayOptions {
    fn default() -> Self {
        Self {
            batch_size: crate::session::DEFAULT_PAY_BATCH,
            pay_again: false,
            outputs_uri: String::new(),
        }
    }
}

/// What happened to one output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PaymentOutcome {
    /// Paid by this run.
    Paid,
    /// Paid earlier by this payer (found in its `InferencePaid` events), not paid again.
    AlreadyPaid { block: u64, model_id: u64 },
    /// The same output appears earlier in this run's list.
    Duplicate,
}

/// The result of [`Session::pay`].
#[derive(Clone, Debug)]
pub struct PayReport {
    /// Per payment, in the order given.
    pub outcomes: Vec<(Payment, PaymentOutcome)>,
    pub receipts: Vec<TransactionReceipt>,
}

impl PayReport {
    /// Base units paid by this run.
    pub fn total_paid(&self) -> U256 {
        self.outcomes
            .iter()
            .filter(|(_, o)| *o == PaymentOutcome::Paid)
            .fold(U256::ZERO, |acc, (p, _)| acc + p.amount)
    }
}

impl Session {
    /// The outputs `payer` has paid for, from its `InferencePaid` events: inference id → (block,
    /// model).
    pub async fn paid_by(&self, payer: Address) -> Result<HashMap<B256, (u64, u64)>, ClientError> {
        let latest = self.client.latest_block().await?;
        let filter = Filter::new()
            .address(self.deployment.attribution_pool)
            .topic3(payer.into_word());
        let events = self
            .client
            .events::<InferencePaid>(filter, self.deployment.deployment_block, latest)
            .await?;
        Ok(events
            .into_iter()
            .map(|(e, log)| {
                (
                    e.inferenceId,
                    (log.block_number.unwrap_or_default(), to_u64(e.modelId)),
                )
            })
            .collect())
    }

    /// Pays for outputs of `model_id` in batches. Outputs this payer already paid for are skipped
    /// unless `options.pay_again`; so is an output listed twice. Transactions of the payer still
    /// pending from a killed run are waited for first, so that their payments are seen.
    pub async fn pay(
        &self,
        model_id: u64,
        payments: &[Payment],
        options: &PayOptions,
        progress: &dyn Progress,
    ) -> Result<PayReport, ClientError> {
        if options.batch_size == 0 {
            return Err(ClientError::ZeroBatch);
        }
        let payer = self.client.sender()?;
        self.check_model(model_id).await?;
        self.client.wait_for_pending(payer).await?;
        let earlier = if options.pay_again {
            HashMap::new()
        } else {
            self.paid_by(payer).await?
        };
        let mut seen = HashSet::new();
        let mut outcomes = Vec::with_capacity(payments.len());
        for p in payments {
            let outcome = if let Some((block, model_id)) = earlier.get(&p.inference_id) {
                PaymentOutcome::AlreadyPaid {
                    block: *block,
                    model_id: *model_id,
                }
            } else if !seen.insert(p.inference_id) {
                PaymentOutcome::Duplicate
            } else {
                PaymentOutcome::Paid
            };
            outcomes.push((p.clone(), outcome));
        }
        let todo: Vec<&Payment> = outcomes
            .iter()
            .filter(|(_, o)| *o == PaymentOutcome::Paid)
            .map(|(p, _)| p)
            .collect();
        let total = todo.iter().fold(U256::ZERO, |acc, p| acc + p.amount);
        let mut receipts = Vec::new();
        if !todo.is_empty() {
            self.ensure_balance_and_allowance(
                payer,
                self.deployment.attribution_pool,
                total,
                "payments",
            )
            .await?;
            let pool = self.pool();
            let mut sent = Vec::new();
            for batch in todo.chunks(options.batch_size) {
                let amounts = batch.iter().map(|p| p.amount).collect();
                let ids = batch.iter().map(|p| p.inference_id).collect();
                let tx = pool
                    .payForInferences(
                        U256::from(model_id),
                        amounts,
                        ids,
                        options.outputs_uri.clone(),
                    )
                    .into_transaction_request();
                sent.push((
                    batch.len(),
                    self.client.submit("payForInferences", tx).await?,
                ));
            }
            progress.start("paying", todo.len() as u64);
            let mut done = 0;
            for (len, tx) in sent {
                receipts.push(self.client.confirm(&tx).await?);
                done += len;
                progress.set(done as u64);
            }
            progress.finish();
        }
        Ok(PayReport { outcomes, receipts })
    }
}

/// The payments for outputs read by [`crate::outputs::read`]: each output's own `amount` (in the
/// token's units) or else `default_amount` (base units). Refuses a missing amount, a zero amount
/// and an amount that does not parse, naming the output's line.
pub fn payments_for(
    outputs: &[crate::outputs::Output],
    default_amount: Option<U256>,
    token: &crate::token::Token,
) -> Result<Vec<Payment>, ClientError> {
    outputs
        .iter()
        .map(|o| {
            let line = o.line.max(1);
            let amount = match (&o.amount, default_amount) {
                (Some(text), _) => token
                    .parse(text)
                    .map_err(|source| ClientError::OutputAmount { line, source })?,
                (None, Some(amount)) => amount,
                (None, None) => return Err(ClientError::MissingAmount { line }),
            };
            if amount.is_zero() {
                return Err(ClientError::ZeroPayment { line });
            }
            Ok(Payment {
                inference_id: o.inference_id,
                amount,
            })
        })
        .collect()
}
