//! Core's [`Pbx`] port over the Yeastar REST calls.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ringbridge_core::pbx::{
    CallId, CallRecord, CallSnapshot, Extension, Pbx, PbxContact, PbxContactId, PbxError,
    Phonebook, PhonebookId, RecordingRef, RecordingStream,
};

use crate::api::calls::DialRequest;
use crate::client::YeastarClient;

#[async_trait]
impl Pbx for YeastarClient {
    async fn dial(&self, extension: &str, number: &str) -> Result<CallId, PbxError> {
        let request = DialRequest {
            caller: extension.to_owned(),
            callee: number.to_owned(),
            auto_answer: self.config().dial_auto_answer,
            dial_permission: None,
        };
        Ok(self.call_dial(&request).await?)
    }

    async fn hang_up(&self, channel: &str) -> Result<(), PbxError> {
        Ok(self.call_hangup(channel).await?)
    }

    async fn hold(&self, channel: &str) -> Result<(), PbxError> {
        Ok(self.call_hold(channel).await?)
    }

    async fn unhold(&self, channel: &str) -> Result<(), PbxError> {
        Ok(self.call_unhold(channel).await?)
    }

    async fn mute(&self, channel: &str) -> Result<(), PbxError> {
        Ok(self.call_mute(channel).await?)
    }

    async fn unmute(&self, channel: &str) -> Result<(), PbxError> {
        Ok(self.call_unmute(channel).await?)
    }

    async fn accept_inbound(&self, channel: &str) -> Result<(), PbxError> {
        Ok(self.call_accept_inbound(channel).await?)
    }

    async fn active_calls(&self) -> Result<Vec<CallSnapshot>, PbxError> {
        Ok(self.call_query().await?)
    }

    async fn call_records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, PbxError> {
        Ok(self.cdr_search(from, to).await?)
    }

    async fn extensions(&self) -> Result<Vec<Extension>, PbxError> {
        Ok(self.extension_list().await?)
    }

    async fn recording(
        &self,
        recording: &RecordingRef,
        range: Option<(u64, Option<u64>)>,
    ) -> Result<RecordingStream, PbxError> {
        Ok(self.recording_stream(&recording.0, range).await?)
    }

    async fn phonebooks(&self) -> Result<Vec<Phonebook>, PbxError> {
        Ok(self.phonebook_list().await?)
    }

    async fn create_phonebook(&self, name: &str) -> Result<PhonebookId, PbxError> {
        Ok(self.phonebook_create(name).await?)
    }

    async fn search_contacts(&self, query: &str) -> Result<Vec<PbxContact>, PbxError> {
        Ok(self.company_contact_search(query).await?)
    }

    async fn create_contact(&self, contact: &PbxContact) -> Result<PbxContactId, PbxError> {
        Ok(self.company_contact_create(contact).await?)
    }

    async fn update_contact(
        &self,
        id: &PbxContactId,
        contact: &PbxContact,
    ) -> Result<(), PbxError> {
        Ok(self.company_contact_update(id, contact).await?)
    }
}
