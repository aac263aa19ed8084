import { type RestRules, type TransformInput, defineRestRules, pseudonymizeAt as pseudonymize, redactAt as redact, schemaObject as object } from '@psoxy/core';

const PAGING = 'next_page_token:s page_count:i page_number:i page_size:i total_records:i';

/** Zoom: Psoxy's `zoom` rules (`docs/sources/zoom/zoom.yaml`): allowlist, transforms, response schemas. */
export const zoomRules: RestRules = defineRestRules({
  endpoints: [
    {
      pathRegex: '^/v2/meetings/[^/?]+(?:/(?!meeting_summary)[^/?]+)?(?:[?].*)?$',
      allowedQueryParams: ['occurrence_id', 'show_previous_occurrences'],
      transforms: [
        pseudonymize(["$.['host_id','host_email']", '$..email', '$..contact_email', '$..participants[*]']),
        redact([
          "$.['topic','agenda','custom_keys']",
          "$.settings.['alternative_hosts','enforce_login_domains','approved_or_denied_countries_or_regions','audio_conference_info','name','authentication_name','authentication_option','contact_name','custom_keys','global_dial_in_countries','global_dial_in_numbers']",
          "$.['password','h323_password','pstn_password','encrypted_password','start_url']",
          '$..join_url',
          '$..name',
        ]),
      ],
      responseSchema: object('created_at:dt host_id:s id:i settings:@MeetingSettings start_time:dt status:s timezone:s type:i uuid:s'),
    },
    {
      pathRegex: '^/v2/meetings/[^/?]+(?:/[^/?]+)?/meeting_summary(?:[?].*)?$',
      allowedQueryParams: [],
      transforms: [
        pseudonymize(["$['meeting_host_id','meeting_host_email', 'summary_last_modified_user_id','summary_last_modified_user_email']"]),
        redact(["$['meeting_topic','summary_title']"]),
        { method: 'textDigest', jsonPaths: ['$..summary_overview', '$.summary_details[*].label', '$.summary_details[*].summary', '$.edited_summary.summary_details', '$..next_steps[*]'] },
      ],
      responseSchema: object(
        'edited_summary:@EditedSummary meeting_end_time:dt meeting_host_email:s meeting_host_id:s meeting_id:i meeting_start_time:dt meeting_uuid:s next_steps:[s] summary_created_time:dt summary_details:[@SummaryDetail] summary_end_time:dt summary_last_modified_time:dt summary_last_modified_user_email:s summary_last_modified_user_id:s summary_overview:s summary_start_time:dt',
      ),
    },
    {
      pathRegex: '^/v2/past_meetings/[^/?]+(?:/(?!(?:instances|participants))[^/?]+)?(?:[?].*)?$',
      allowedQueryParams: [],
      transforms: [pseudonymize(["$.['host_id','user_email','host_email']"]), redact(["$.['user_name','topic','agenda']"])],
      responseSchema: object(
        'dept:s duration:i end_time:dt has_meeting_summary:b host_id:s id:i participants_count:i source:s start_time:dt topic:s total_minutes:i type:i user_email:s user_name:s uuid:s',
      ),
    },
    {
      pathRegex: '^/v2/past_meetings/[^/?]+(?:/[^/?]+)?/instances(?:[?].*)?$',
      allowedQueryParams: [],
      responseSchema: object(`meetings:[@MeetingOccurrence] ${PAGING}`),
    },
    {
      pathRegex: '^/v2/past_meetings/[^/?]+(?:/[^/?]+)?/participants(?:[?].*)?$',
      allowedQueryParams: ['page_size', 'next_page_token'],
      transforms: [pseudonymize(["$.participants[*]['id','user_email','pmi']"]), redact(["$.participants[*]['name','registrant_id']"])],
      responseSchema: object(`${PAGING} participants:[@MeetingParticipant]`),
    },
    {
      pathRegex: '^/v2/report/meetings/[^/?]+(?:/[^/?]+)?/participants(?:[?].*)?$',
      allowedQueryParams: ['page_size', 'next_page_token'],
      transforms: [pseudonymize(["$.participants[*]['id','user_email','user_id','pmi']"]), redact(["$.participants[*]['name','registrant_id','display_name']"])],
      responseSchema: object(`${PAGING} participants:[@MeetingParticipant]`),
    },
    {
      pathTemplate: '/v2/report/users/{userId}/meetings',
      allowedQueryParams: ['from', 'to', 'type', 'page_size', 'next_page_token'],
      transforms: [pseudonymize(["$.meetings[*]['host_id','user_email','host_email']"]), redact(["$.meetings[*]['user_name','topic','custom_keys','tracking_fields']"])],
      responseSchema: object(`meetings:[@MeetingsItem] ${PAGING}`),
    },
    {
      pathTemplate: '/v2/users',
      allowedQueryParams: ['status', 'page_size', 'page_number', 'next_page_token'],
      transforms: [
        pseudonymize(["$.users[*]['email','phone_number']"]),
        // reversible: the caller lists each user's meetings by this id
        pseudonymize(["$.users[*]['id','pmi']"], { includeReversible: true }),
        redact(["$.users[*]['display_name','first_name','last_name','pic_url','employee_unique_id']"]),
      ],
      responseSchema: object(`${PAGING} users:[@User]`),
    },
    {
      pathTemplate: '/v2/users/{userId}/meetings',
      allowedQueryParams: ['page_size', 'next_page_token', 'type', 'from', 'to'],
      transforms: [pseudonymize(["$.meetings[*]['host_id','host_email']"]), redact(["$.meetings[*]['topic','join_url','start_url','agenda']"])],
      responseSchema: object(`meetings:[@Meeting] ${PAGING}`),
    },
    {
      pathTemplate: '/v2/users/{userId}/recordings',
      allowedQueryParams: ['from', 'to', 'page_size', 'next_page_token'],
      transforms: [
        pseudonymize(["$.meetings[*]['host_id','account_id']"]),
        redact(["$..['topic','share_url','recording_play_passcode']", "$..recording_files[*]['download_url','file_path','play_url','agenda']"]),
      ],
      responseSchema: object(`from:s meetings:[@MeetingRecording] ${PAGING} to:s`),
    },
  ].map((e) => ({ ...e, transforms: (e.transforms ?? []) as TransformInput[] })),
  definitions: {
    AuthenticationException: object('email:s'),
    BreakoutRoom: object('enable:b rooms:[@Room]'),
    ContinuousMeetingChat: object('auto_add_invited_external_users:b auto_add_meeting_participants:b channel_id:s enable:b who_is_added:s'),
    CustomKeysItem: object('key:s value:s'),
    EditedSummary: object('next_steps:[s] summary_details:s summary_overview:s'),
    Interpreter: object('email:s interpreter_languages:s languages:s'),
    LanguageInterpretation: object('enable:b interpreters:[@Interpreter]'),
    Meeting: object('created_at:dt duration:i host_id:s id:i sourceId:s start_time:dt timezone:s type:i'),
    MeetingInvitee: object('email:s internal_user:b'),
    MeetingOccurrence: object(
      'duration:i end_time:dt host_id:s meeting_id:s meeting_type:i participants:[@MeetingParticipant] participants_count:i start_time:dt topic_length:i total_minutes:i user_id:s uuid:s workItemId:s',
    ),
    MeetingParticipant: object('bo_mtg_id:s customer_key:s duration:i failover:b id:s join_time:dt leave_time:dt name:s registrant_id:s status:s user_email:s user_id:s'),
    MeetingRecording: object('account_id:s duration:i host_id:s id:i recording_count:i recording_files:[@RecordingFile] start_time:dt total_size:i type:s uuid:s'),
    MeetingSettings: object(
      [
        'allow_host_control_participant_mute_state:b allow_multiple_devices:b alternative_host_update_polls:b alternative_hosts_email_notification:b',
        'approval_type:i audio:s authentication_domains:s authentication_exception:[@AuthenticationException] auto_recording:s',
        'auto_start_ai_companion_questions:b auto_start_meeting_summary:b breakout_room:@BreakoutRoom calendar_type:i close_registration:b',
        'cn_meeting:b contact_email:s continuous_meeting_chat:@ContinuousMeetingChat device_testing:b disable_participant_video:b',
        'email_notification:b encryption_type:s enforce_login:b focus_mode:b host_save_video_order:b host_video:b in_meeting:b',
        'internal_meeting:b jbh_time:i join_before_host:b language_interpretation:@LanguageInterpretation meeting_authentication:b',
        'meeting_invitees:[@MeetingInvitee] mute_upon_entry:b participant_focused_meeting:b participant_video:b private_meeting:b',
        'push_change_to_calendar:b question_and_answer:@QuestionAndAnswer registrants_confirmation_email:b registrants_email_notification:b',
        'registration_type:i resources:[@Resource] show_share_button:b sign_language_interpretation:@SignLanguageInterpretation use_pmi:b',
        'waiting_room:b watermark:b who_can_ask_questions:i who_will_receive_summary:i',
      ].join(' '),
    ),
    MeetingsItem: object(
      'custom_keys:[@CustomKeysItem] duration:i end_time:dt host_id:s id:i join_time:s join_waiting_room_time:s leave_time:s participants_count:i schedule_time:s session_key:s source:s start_time:dt topic:s total_minutes:i type:i user_email:s user_name:s uuid:s',
    ),
    QuestionAndAnswer: object('allow_anonymous_questions:b allow_submit_questions:b attendees_can_comment:b attendees_can_upvote:b enable:b question_visibility:s'),
    RecordingFile: object('deleted_time:dt file_extension:s file_size:i file_type:s id:s meeting_id:s recording_end:dt recording_start:dt recording_type:s status:s'),
    Resource: object('permission_level:s resource_id:s resource_type:s'),
    Room: object('participants:[s]'),
    SignInterpreter: object('email:s sign_language:s'),
    SignLanguageInterpretation: object('enable:b interpreters:[@SignInterpreter]'),
    SummaryDetail: object('label:s summary:s'),
    User: object('created_at:dt email:s fullName:s group_ids:[s] id:s im_group_ids:[s] last_login_time:dt pmi:i status:s timezone:s type:i'),
  },
});
