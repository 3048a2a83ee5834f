part of 'facade.dart';

/// `janua.health`: Liveness and readiness probes.
class HealthNamespace {
  HealthNamespace._(this._janua);

  final Janua _janua;

  /// Liveness probe.
  ///
  /// `GET /health` (getHealth).
  Future<Health> check({CallOptions? options}) async {
    final Health? result = await _janua._send(
      'getHealth',
      () => _janua._healthApi.getHealth(),
      options,
      public: true,
    );
    return _required(result, 'getHealth');
  }

  /// Readiness probe with dependency status.
  ///
  /// `GET /health/detailed` (getHealthDetailed). A 503 (a dependency is down) is a result
  /// here, not an error, and is not retried.
  Future<HealthDetailed> detailed({CallOptions? options}) async {
    try {
      final _Outcome<HealthDetailed?> outcome = await _janua._run(
        'getHealthDetailed',
        () => _janua._healthApi.getHealthDetailed(),
        options,
        public: true,
        retryUnavailable: false,
      );
      return _required(outcome.value, 'getHealthDetailed');
    } on ServerException catch (error) {
      final Map<String, dynamic>? body = error.problem;
      if (error.status != 503 || body == null || body.containsKey('code')) {
        rethrow;
      }
      return _required(HealthDetailed.fromJson(body), 'getHealthDetailed');
    }
  }
}

/// `janua.discovery`: Public metadata relying parties use to find Janua's endpoints and keys.
class DiscoveryNamespace {
  DiscoveryNamespace._(this._janua);

  final Janua _janua;

  /// OpenID Provider metadata.
  ///
  /// `GET /.well-known/openid-configuration` (getOpenidConfiguration).
  Future<OpenIDConfiguration> openidConfiguration({CallOptions? options}) async {
    final OpenIDConfiguration? result = await _janua._send(
      'getOpenidConfiguration',
      () => _janua._discoveryApi.getOpenidConfiguration(),
      options,
      public: true,
    );
    return _required(result, 'getOpenidConfiguration');
  }

  /// Public signing keys (JWK Set).
  ///
  /// `GET /.well-known/jwks.json` (getJwks).
  Future<JWKS> jwks({CallOptions? options}) async {
    final JWKS? result = await _janua._send(
      'getJwks',
      () => _janua._discoveryApi.getJwks(),
      options,
      public: true,
    );
    return _required(result, 'getJwks');
  }
}

/// `janua.auth`: First-party sign-up, sign-in, token refresh and sign-out.
class AuthNamespace {
  AuthNamespace._(this._janua);

  final Janua _janua;

  /// Create an account.
  ///
  /// `POST /api/v1/auth/register` (registerUser).
  Future<AuthResponse> register(RegisterRequest registerRequest, {CallOptions? options}) async {
    final AuthResponse? result = await _janua._send(
      'registerUser',
      () => _janua._authApi.registerUser(registerRequest),
      options,
      public: true,
    );
    final AuthResponse answer = _required(result, 'registerUser');
    await _janua._keep(answer.tokens);
    return answer;
  }

  /// Sign in with email and password.
  ///
  /// `POST /api/v1/auth/login` (loginUser).
  Future<AuthResponse> login(LoginRequest loginRequest, {CallOptions? options}) async {
    final AuthResponse? result = await _janua._send(
      'loginUser',
      () => _janua._authApi.loginUser(loginRequest),
      options,
      public: true,
    );
    final AuthResponse answer = _required(result, 'loginUser');
    await _janua._keep(answer.tokens);
    return answer;
  }

  /// Exchange a refresh token for a new token pair.
  ///
  /// `POST /api/v1/auth/token/refresh` (refreshToken). Spends [refreshToken], or the stored
  /// one, and stores the new pair (refresh tokens are single-use). Without arguments it joins
  /// a refresh already in flight, as the automatic refresh does; [organizationId] asks for an
  /// access token scoped to that organization. A refused refresh token throws
  /// [TokenException] and, when it was the stored one, clears the stored sign-in.
  Future<TokenPair> refresh({
    String? refreshToken,
    String? organizationId,
    CallOptions? options,
  }) {
    if (refreshToken == null && organizationId == null && options == null) {
      return _janua._sharedRefresh();
    }
    return _janua._refresh(refreshToken, organizationId, options);
  }

  /// Sign out of the current session.
  ///
  /// `POST /api/v1/auth/logout` (logoutUser). Forgets the stored tokens, also when the server
  /// answers 401 (the session had already ended).
  Future<void> logout({CallOptions? options}) async {
    try {
      await _janua._send(
        'logoutUser',
        () => _janua._authApi.logoutUser(),
        options,
      );
    } on AuthenticationException {
      await _janua.setTokens(null);
      rethrow;
    }
    await _janua.setTokens(null);
  }

  /// The signed-in user.
  ///
  /// `GET /api/v1/auth/me` (getCurrentUser).
  Future<User> me({CallOptions? options}) async {
    final User? result = await _janua._send(
      'getCurrentUser',
      () => _janua._authApi.getCurrentUser(),
      options,
    );
    return _required(result, 'getCurrentUser');
  }

  /// Update the signed-in user's profile.
  ///
  /// `PATCH /api/v1/auth/me` (updateCurrentUser).
  Future<User> updateMe(UpdateUserRequest updateUserRequest, {CallOptions? options}) async {
    final User? result = await _janua._send(
      'updateCurrentUser',
      () => _janua._authApi.updateCurrentUser(updateUserRequest),
      options,
    );
    return _required(result, 'updateCurrentUser');
  }

  /// The signed-in user's recent security events.
  ///
  /// `GET /api/v1/auth/me/audit-events` (listMyAuditEvents).
  Future<AuditEventList> auditEventsPage({int? limit, String? cursor, CallOptions? options}) async {
    final AuditEventList? result = await _janua._send(
      'listMyAuditEvents',
      () => _janua._authApi.listMyAuditEvents(limit: limit, cursor: cursor),
      options,
    );
    return _required(result, 'listMyAuditEvents');
  }

  /// Every item of every page of [auditEventsPage], from [cursor] (or the first page) on.
  Stream<AuditEvent> auditEvents({int? limit, String? cursor, CallOptions? options}) async* {
    String? next = cursor;
    do {
      final AuditEventList page = await auditEventsPage(
        limit: limit,
        cursor: next,
        options: options,
      );
      for (final AuditEvent item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Confirm an email address with the token from the verification link.
  ///
  /// `POST /api/v1/auth/email/verify` (verifyEmail).
  Future<void> verifyEmail(LinkTokenRequest linkTokenRequest, {CallOptions? options}) async {
    await _janua._send(
      'verifyEmail',
      () => _janua._authApi.verifyEmail(linkTokenRequest),
      options,
      public: true,
    );
  }

  /// Send the verification email again.
  ///
  /// `POST /api/v1/auth/email/verify/resend` (resendVerificationEmail).
  Future<void> resendVerificationEmail({CallOptions? options}) async {
    await _janua._send(
      'resendVerificationEmail',
      () => _janua._authApi.resendVerificationEmail(),
      options,
    );
  }

  /// Email a password-reset link.
  ///
  /// `POST /api/v1/auth/password/forgot` (requestPasswordReset).
  Future<void> requestPasswordReset(
    ForgotPasswordRequest forgotPasswordRequest, {
    CallOptions? options,
  }) async {
    await _janua._send(
      'requestPasswordReset',
      () => _janua._authApi.requestPasswordReset(forgotPasswordRequest),
      options,
      public: true,
    );
  }

  /// Set a new password with the token from the reset link.
  ///
  /// `POST /api/v1/auth/password/reset` (resetPassword).
  Future<void> resetPassword(
    ResetPasswordRequest resetPasswordRequest, {
    CallOptions? options,
  }) async {
    await _janua._send(
      'resetPassword',
      () => _janua._authApi.resetPassword(resetPasswordRequest),
      options,
      public: true,
    );
  }

  /// Change the password (the current one is required).
  ///
  /// `POST /api/v1/auth/password/change` (changePassword).
  Future<void> changePassword(
    ChangePasswordRequest changePasswordRequest, {
    CallOptions? options,
  }) async {
    await _janua._send(
      'changePassword',
      () => _janua._authApi.changePassword(changePasswordRequest),
      options,
    );
  }
}

/// `janua.sessions`: The signed-in user's sessions (one per sign-in, per device) and their
/// revocation.
class SessionsNamespace {
  SessionsNamespace._(this._janua);

  final Janua _janua;

  /// The caller's active sessions.
  ///
  /// `GET /api/v1/sessions` (listSessions).
  Future<SessionList> listPage({int? limit, String? cursor, CallOptions? options}) async {
    final SessionList? result = await _janua._send(
      'listSessions',
      () => _janua._sessionsApi.listSessions(limit: limit, cursor: cursor),
      options,
    );
    return _required(result, 'listSessions');
  }

  /// Every item of every page of [listPage], from [cursor] (or the first page) on.
  Stream<Session> list({int? limit, String? cursor, CallOptions? options}) async* {
    String? next = cursor;
    do {
      final SessionList page = await listPage(limit: limit, cursor: next, options: options);
      for (final Session item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Sign out everywhere else.
  ///
  /// `DELETE /api/v1/sessions` (revokeOtherSessions).
  Future<void> revokeOthers({CallOptions? options}) async {
    await _janua._send(
      'revokeOtherSessions',
      () => _janua._sessionsApi.revokeOtherSessions(),
      options,
    );
  }

  /// Revoke one of the caller's sessions.
  ///
  /// `DELETE /api/v1/sessions/{session_id}` (revokeSession).
  Future<void> revoke(String sessionId, {CallOptions? options}) async {
    await _janua._send(
      'revokeSession',
      () => _janua._sessionsApi.revokeSession(sessionId),
      options,
    );
  }
}

/// `janua.mfa`: Second factors - authenticator apps (TOTP), recovery codes, SMS codes - and the
/// MFA step of sign-in.
class MfaNamespace {
  MfaNamespace._(this._janua);

  final Janua _janua;

  /// The caller's second factors.
  ///
  /// `GET /api/v1/auth/mfa` (getMfaStatus).
  Future<MfaStatus> status({CallOptions? options}) async {
    final MfaStatus? result = await _janua._send(
      'getMfaStatus',
      () => _janua._mfaApi.getMfaStatus(),
      options,
    );
    return _required(result, 'getMfaStatus');
  }

  /// Start enrolling an authenticator app (TOTP).
  ///
  /// `POST /api/v1/auth/mfa/setup` (startTotpSetup).
  Future<TotpSetup> startTotpSetup({CallOptions? options}) async {
    final TotpSetup? result = await _janua._send(
      'startTotpSetup',
      () => _janua._mfaApi.startTotpSetup(),
      options,
    );
    return _required(result, 'startTotpSetup');
  }

  /// Confirm the authenticator app with a code.
  ///
  /// `POST /api/v1/auth/mfa/verify-setup` (confirmTotpSetup).
  Future<RecoveryCodes> confirmTotpSetup(
    MfaCodeRequest mfaCodeRequest, {
    CallOptions? options,
  }) async {
    final RecoveryCodes? result = await _janua._send(
      'confirmTotpSetup',
      () => _janua._mfaApi.confirmTotpSetup(mfaCodeRequest),
      options,
    );
    return _required(result, 'confirmTotpSetup');
  }

  /// Remove the authenticator app.
  ///
  /// `POST /api/v1/auth/mfa/disable` (disableTotp).
  Future<void> disableTotp(DisableTotpRequest disableTotpRequest, {CallOptions? options}) async {
    await _janua._send(
      'disableTotp',
      () => _janua._mfaApi.disableTotp(disableTotpRequest),
      options,
    );
  }

  /// Replace the recovery codes.
  ///
  /// `POST /api/v1/auth/mfa/recovery-codes` (regenerateRecoveryCodes).
  Future<RecoveryCodes> regenerateRecoveryCodes(
    RegenerateRecoveryCodesRequest regenerateRecoveryCodesRequest, {
    CallOptions? options,
  }) async {
    final RecoveryCodes? result = await _janua._send(
      'regenerateRecoveryCodes',
      () => _janua._mfaApi.regenerateRecoveryCodes(regenerateRecoveryCodesRequest),
      options,
    );
    return _required(result, 'regenerateRecoveryCodes');
  }

  /// Finish signing in with a second factor.
  ///
  /// `POST /api/v1/auth/mfa/challenge` (verifyMfaChallenge).
  Future<AuthResponse> verifyChallenge(
    MfaChallengeRequest mfaChallengeRequest, {
    CallOptions? options,
  }) async {
    final AuthResponse? result = await _janua._send(
      'verifyMfaChallenge',
      () => _janua._mfaApi.verifyMfaChallenge(mfaChallengeRequest),
      options,
      public: true,
    );
    final AuthResponse answer = _required(result, 'verifyMfaChallenge');
    await _janua._keep(answer.tokens);
    return answer;
  }

  /// Start enrolling a phone number for SMS codes.
  ///
  /// `POST /api/v1/auth/mfa/sms/setup` (startSmsSetup).
  Future<SmsCodeSent> startSmsSetup(SmsSetupRequest smsSetupRequest, {CallOptions? options}) async {
    final SmsCodeSent? result = await _janua._send(
      'startSmsSetup',
      () => _janua._mfaApi.startSmsSetup(smsSetupRequest),
      options,
    );
    return _required(result, 'startSmsSetup');
  }

  /// Confirm the phone number with the code it received.
  ///
  /// `POST /api/v1/auth/mfa/sms/verify-setup` (confirmSmsSetup).
  Future<SmsEnrollment> confirmSmsSetup(
    MfaCodeRequest mfaCodeRequest, {
    CallOptions? options,
  }) async {
    final SmsEnrollment? result = await _janua._send(
      'confirmSmsSetup',
      () => _janua._mfaApi.confirmSmsSetup(mfaCodeRequest),
      options,
    );
    return _required(result, 'confirmSmsSetup');
  }

  /// Remove the phone number.
  ///
  /// `DELETE /api/v1/auth/mfa/sms` (disableSms).
  Future<void> disableSms(PasswordConfirmation passwordConfirmation, {CallOptions? options}) async {
    await _janua._send(
      'disableSms',
      () => _janua._mfaApi.disableSms(passwordConfirmation),
      options,
    );
  }

  /// Text a sign-in code to the enrolled phone.
  ///
  /// `POST /api/v1/auth/mfa/sms/send` (sendSmsChallenge).
  Future<SmsCodeSent> sendSmsChallenge(
    SendSmsChallengeRequest sendSmsChallengeRequest, {
    CallOptions? options,
  }) async {
    final SmsCodeSent? result = await _janua._send(
      'sendSmsChallenge',
      () => _janua._mfaApi.sendSmsChallenge(sendSmsChallengeRequest),
      options,
      public: true,
    );
    return _required(result, 'sendSmsChallenge');
  }
}

/// `janua.passkeys`: WebAuthn passkeys - registration, management, and sign-in with a passkey
/// alone or as the second factor.
class PasskeysNamespace {
  PasskeysNamespace._(this._janua);

  final Janua _janua;

  /// Start registering a passkey.
  ///
  /// `POST /api/v1/auth/passkey/register/options` (startPasskeyRegistration).
  Future<PasskeyCreationOptions> startRegistration({CallOptions? options}) async {
    final PasskeyCreationOptions? result = await _janua._send(
      'startPasskeyRegistration',
      () => _janua._passkeysApi.startPasskeyRegistration(),
      options,
    );
    return _required(result, 'startPasskeyRegistration');
  }

  /// Finish registering a passkey.
  ///
  /// `POST /api/v1/auth/passkey/register` (registerPasskey).
  Future<Passkey> register(
    RegisterPasskeyRequest registerPasskeyRequest, {
    CallOptions? options,
  }) async {
    final Passkey? result = await _janua._send(
      'registerPasskey',
      () => _janua._passkeysApi.registerPasskey(registerPasskeyRequest),
      options,
    );
    return _required(result, 'registerPasskey');
  }

  /// The caller's passkeys.
  ///
  /// `GET /api/v1/auth/passkeys` (listPasskeys).
  Future<PasskeyList> listPage({int? limit, String? cursor, CallOptions? options}) async {
    final PasskeyList? result = await _janua._send(
      'listPasskeys',
      () => _janua._passkeysApi.listPasskeys(limit: limit, cursor: cursor),
      options,
    );
    return _required(result, 'listPasskeys');
  }

  /// Every item of every page of [listPage], from [cursor] (or the first page) on.
  Stream<Passkey> list({int? limit, String? cursor, CallOptions? options}) async* {
    String? next = cursor;
    do {
      final PasskeyList page = await listPage(limit: limit, cursor: next, options: options);
      for (final Passkey item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Delete one of the caller's passkeys.
  ///
  /// `DELETE /api/v1/auth/passkeys/{passkey_id}` (deletePasskey).
  Future<void> delete(String passkeyId, {CallOptions? options}) async {
    await _janua._send(
      'deletePasskey',
      () => _janua._passkeysApi.deletePasskey(passkeyId),
      options,
    );
  }

  /// Rename one of the caller's passkeys.
  ///
  /// `PATCH /api/v1/auth/passkeys/{passkey_id}` (updatePasskey).
  Future<Passkey> update(
    String passkeyId,
    UpdatePasskeyRequest updatePasskeyRequest, {
    CallOptions? options,
  }) async {
    final Passkey? result = await _janua._send(
      'updatePasskey',
      () => _janua._passkeysApi.updatePasskey(passkeyId, updatePasskeyRequest),
      options,
    );
    return _required(result, 'updatePasskey');
  }

  /// Start signing in with a passkey.
  ///
  /// `POST /api/v1/auth/passkey/login/options` (startPasskeyLogin).
  Future<PasskeyLoginOptions> startLogin(
    PasskeyLoginOptionsRequest passkeyLoginOptionsRequest, {
    CallOptions? options,
  }) async {
    final PasskeyLoginOptions? result = await _janua._send(
      'startPasskeyLogin',
      () => _janua._passkeysApi.startPasskeyLogin(passkeyLoginOptionsRequest),
      options,
      public: true,
    );
    return _required(result, 'startPasskeyLogin');
  }

  /// Sign in with a passkey.
  ///
  /// `POST /api/v1/auth/passkey/login` (loginWithPasskey).
  Future<AuthResponse> login(
    PasskeyLoginRequest passkeyLoginRequest, {
    CallOptions? options,
  }) async {
    final AuthResponse? result = await _janua._send(
      'loginWithPasskey',
      () => _janua._passkeysApi.loginWithPasskey(passkeyLoginRequest),
      options,
      public: true,
    );
    final AuthResponse answer = _required(result, 'loginWithPasskey');
    await _janua._keep(answer.tokens);
    return answer;
  }
}

/// `janua.organizations`: Organizations (tenants), their members, roles and permissions, and
/// invitations.
class OrganizationsNamespace {
  OrganizationsNamespace._(this._janua);

  final Janua _janua;

  /// The caller's organizations, with the caller's role in each.
  ///
  /// `GET /api/v1/organizations` (listOrganizations).
  Future<OrganizationList> listPage({int? limit, String? cursor, CallOptions? options}) async {
    final OrganizationList? result = await _janua._send(
      'listOrganizations',
      () => _janua._organizationsApi.listOrganizations(limit: limit, cursor: cursor),
      options,
    );
    return _required(result, 'listOrganizations');
  }

  /// Every item of every page of [listPage], from [cursor] (or the first page) on.
  Stream<Organization> list({int? limit, String? cursor, CallOptions? options}) async* {
    String? next = cursor;
    do {
      final OrganizationList page = await listPage(limit: limit, cursor: next, options: options);
      for (final Organization item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Create an organization (the caller becomes its owner).
  ///
  /// `POST /api/v1/organizations` (createOrganization).
  Future<Organization> create(
    CreateOrganizationRequest createOrganizationRequest, {
    CallOptions? options,
  }) async {
    final Organization? result = await _janua._send(
      'createOrganization',
      () => _janua._organizationsApi.createOrganization(createOrganizationRequest),
      options,
    );
    return _required(result, 'createOrganization');
  }

  /// One of the caller's organizations, by slug.
  ///
  /// `GET /api/v1/organizations-by-slug/{slug}` (getOrganizationBySlug).
  Future<Organization> getBySlug(String slug, {CallOptions? options}) async {
    final Organization? result = await _janua._send(
      'getOrganizationBySlug',
      () => _janua._organizationsApi.getOrganizationBySlug(slug),
      options,
    );
    return _required(result, 'getOrganizationBySlug');
  }

  /// Delete an organization, by slug.
  ///
  /// `DELETE /api/v1/organizations-by-slug/{slug}` (deleteOrganizationBySlug).
  Future<void> deleteBySlug(String slug, {CallOptions? options}) async {
    await _janua._send(
      'deleteOrganizationBySlug',
      () => _janua._organizationsApi.deleteOrganizationBySlug(slug),
      options,
    );
  }

  /// Rename an organization or change its slug, by slug.
  ///
  /// `PATCH /api/v1/organizations-by-slug/{slug}` (updateOrganizationBySlug).
  Future<Organization> updateBySlug(
    String slug,
    UpdateOrganizationRequest updateOrganizationRequest, {
    CallOptions? options,
  }) async {
    final Organization? result = await _janua._send(
      'updateOrganizationBySlug',
      () => _janua._organizationsApi.updateOrganizationBySlug(slug, updateOrganizationRequest),
      options,
    );
    return _required(result, 'updateOrganizationBySlug');
  }

  /// One of the caller's organizations.
  ///
  /// `GET /api/v1/organizations/{organization_id}` (getOrganization).
  Future<Organization> get(String organizationId, {CallOptions? options}) async {
    final Organization? result = await _janua._send(
      'getOrganization',
      () => _janua._organizationsApi.getOrganization(organizationId),
      options,
    );
    return _required(result, 'getOrganization');
  }

  /// Delete an organization.
  ///
  /// `DELETE /api/v1/organizations/{organization_id}` (deleteOrganization).
  Future<void> delete(String organizationId, {CallOptions? options}) async {
    await _janua._send(
      'deleteOrganization',
      () => _janua._organizationsApi.deleteOrganization(organizationId),
      options,
    );
  }

  /// Rename an organization or change its slug.
  ///
  /// `PATCH /api/v1/organizations/{organization_id}` (updateOrganization).
  Future<Organization> update(
    String organizationId,
    UpdateOrganizationRequest updateOrganizationRequest, {
    CallOptions? options,
  }) async {
    final Organization? result = await _janua._send(
      'updateOrganization',
      () => _janua._organizationsApi.updateOrganization(organizationId, updateOrganizationRequest),
      options,
    );
    return _required(result, 'updateOrganization');
  }

  /// An organization's members.
  ///
  /// `GET /api/v1/organizations/{organization_id}/members` (listOrganizationMembers).
  Future<OrganizationMemberList> listMembersPage(
    String organizationId, {
    int? limit,
    String? cursor,
    CallOptions? options,
  }) async {
    final OrganizationMemberList? result = await _janua._send(
      'listOrganizationMembers',
      () => _janua._organizationsApi.listOrganizationMembers(
        organizationId,
        limit: limit,
        cursor: cursor,
      ),
      options,
    );
    return _required(result, 'listOrganizationMembers');
  }

  /// Every item of every page of [listMembersPage], from [cursor] (or the first page) on.
  Stream<OrganizationMember> listMembers(
    String organizationId, {
    int? limit,
    String? cursor,
    CallOptions? options,
  }) async* {
    String? next = cursor;
    do {
      final OrganizationMemberList page = await listMembersPage(
        organizationId,
        limit: limit,
        cursor: next,
        options: options,
      );
      for (final OrganizationMember item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Add an existing user to an organization.
  ///
  /// `POST /api/v1/organizations/{organization_id}/members` (addOrganizationMember).
  Future<OrganizationMember> addMember(
    String organizationId,
    AddOrganizationMemberRequest addOrganizationMemberRequest, {
    CallOptions? options,
  }) async {
    final OrganizationMember? result = await _janua._send(
      'addOrganizationMember',
      () => _janua._organizationsApi.addOrganizationMember(
        organizationId,
        addOrganizationMemberRequest,
      ),
      options,
    );
    return _required(result, 'addOrganizationMember');
  }

  /// One member of an organization.
  ///
  /// `GET /api/v1/organizations/{organization_id}/members/{user_id}` (getOrganizationMember).
  Future<OrganizationMember> getMember(
    String organizationId,
    String userId, {
    CallOptions? options,
  }) async {
    final OrganizationMember? result = await _janua._send(
      'getOrganizationMember',
      () => _janua._organizationsApi.getOrganizationMember(organizationId, userId),
      options,
    );
    return _required(result, 'getOrganizationMember');
  }

  /// Remove a member from an organization.
  ///
  /// `DELETE /api/v1/organizations/{organization_id}/members/{user_id}`
  /// (removeOrganizationMember).
  Future<void> removeMember(String organizationId, String userId, {CallOptions? options}) async {
    await _janua._send(
      'removeOrganizationMember',
      () => _janua._organizationsApi.removeOrganizationMember(organizationId, userId),
      options,
    );
  }

  /// Change a member's role.
  ///
  /// `PATCH /api/v1/organizations/{organization_id}/members/{user_id}`
  /// (updateOrganizationMember).
  Future<OrganizationMember> updateMember(
    String organizationId,
    String userId,
    UpdateOrganizationMemberRequest updateOrganizationMemberRequest, {
    CallOptions? options,
  }) async {
    final OrganizationMember? result = await _janua._send(
      'updateOrganizationMember',
      () => _janua._organizationsApi.updateOrganizationMember(
        organizationId,
        userId,
        updateOrganizationMemberRequest,
      ),
      options,
    );
    return _required(result, 'updateOrganizationMember');
  }

  /// Leave an organization.
  ///
  /// `POST /api/v1/organizations/{organization_id}/leave` (leaveOrganization).
  Future<void> leave(String organizationId, {CallOptions? options}) async {
    await _janua._send(
      'leaveOrganization',
      () => _janua._organizationsApi.leaveOrganization(organizationId),
      options,
    );
  }

  /// Hand the organization to another member.
  ///
  /// `POST /api/v1/organizations/{organization_id}/transfer-ownership`
  /// (transferOrganizationOwnership).
  Future<OrganizationMember> transferOwnership(
    String organizationId,
    TransferOwnershipRequest transferOwnershipRequest, {
    CallOptions? options,
  }) async {
    final OrganizationMember? result = await _janua._send(
      'transferOrganizationOwnership',
      () => _janua._organizationsApi.transferOrganizationOwnership(
        organizationId,
        transferOwnershipRequest,
      ),
      options,
    );
    return _required(result, 'transferOrganizationOwnership');
  }

  /// An organization's roles (built-in first, then custom).
  ///
  /// `GET /api/v1/organizations/{organization_id}/roles` (listOrganizationRoles).
  Future<OrganizationRoleList> listRoles(String organizationId, {CallOptions? options}) async {
    final OrganizationRoleList? result = await _janua._send(
      'listOrganizationRoles',
      () => _janua._organizationsApi.listOrganizationRoles(organizationId),
      options,
    );
    return _required(result, 'listOrganizationRoles');
  }

  /// Create a custom role.
  ///
  /// `POST /api/v1/organizations/{organization_id}/roles` (createOrganizationRole).
  Future<OrganizationRole> createRole(
    String organizationId,
    CreateOrganizationRoleRequest createOrganizationRoleRequest, {
    CallOptions? options,
  }) async {
    final OrganizationRole? result = await _janua._send(
      'createOrganizationRole',
      () => _janua._organizationsApi.createOrganizationRole(
        organizationId,
        createOrganizationRoleRequest,
      ),
      options,
    );
    return _required(result, 'createOrganizationRole');
  }

  /// One role of an organization.
  ///
  /// `GET /api/v1/organizations/{organization_id}/roles/{role_key}` (getOrganizationRole).
  Future<OrganizationRole> getRole(
    String organizationId,
    String roleKey, {
    CallOptions? options,
  }) async {
    final OrganizationRole? result = await _janua._send(
      'getOrganizationRole',
      () => _janua._organizationsApi.getOrganizationRole(organizationId, roleKey),
      options,
    );
    return _required(result, 'getOrganizationRole');
  }

  /// Delete a custom role.
  ///
  /// `DELETE /api/v1/organizations/{organization_id}/roles/{role_key}`
  /// (deleteOrganizationRole).
  Future<void> deleteRole(String organizationId, String roleKey, {CallOptions? options}) async {
    await _janua._send(
      'deleteOrganizationRole',
      () => _janua._organizationsApi.deleteOrganizationRole(organizationId, roleKey),
      options,
    );
  }

  /// Change a custom role.
  ///
  /// `PATCH /api/v1/organizations/{organization_id}/roles/{role_key}`
  /// (updateOrganizationRole).
  Future<OrganizationRole> updateRole(
    String organizationId,
    String roleKey,
    UpdateOrganizationRoleRequest updateOrganizationRoleRequest, {
    CallOptions? options,
  }) async {
    final OrganizationRole? result = await _janua._send(
      'updateOrganizationRole',
      () => _janua._organizationsApi.updateOrganizationRole(
        organizationId,
        roleKey,
        updateOrganizationRoleRequest,
      ),
      options,
    );
    return _required(result, 'updateOrganizationRole');
  }

  /// Whether the caller holds a permission in an organization.
  ///
  /// `GET /api/v1/organizations/{organization_id}/permissions/check`
  /// (checkOrganizationPermission).
  Future<PermissionCheck> checkPermission(
    String organizationId,
    String permission, {
    CallOptions? options,
  }) async {
    final PermissionCheck? result = await _janua._send(
      'checkOrganizationPermission',
      () => _janua._organizationsApi.checkOrganizationPermission(organizationId, permission),
      options,
    );
    return _required(result, 'checkOrganizationPermission');
  }

  /// An organization's invitations.
  ///
  /// `GET /api/v1/organizations/{organization_id}/invitations` (listOrganizationInvitations).
  Future<InvitationList> listInvitationsPage(
    String organizationId, {
    int? limit,
    String? cursor,
    InvitationStatus? status,
    CallOptions? options,
  }) async {
    final InvitationList? result = await _janua._send(
      'listOrganizationInvitations',
      () => _janua._organizationsApi.listOrganizationInvitations(
        organizationId,
        limit: limit,
        cursor: cursor,
        status: status,
      ),
      options,
    );
    return _required(result, 'listOrganizationInvitations');
  }

  /// Every item of every page of [listInvitationsPage], from [cursor] (or the first page) on.
  Stream<Invitation> listInvitations(
    String organizationId, {
    int? limit,
    String? cursor,
    InvitationStatus? status,
    CallOptions? options,
  }) async* {
    String? next = cursor;
    do {
      final InvitationList page = await listInvitationsPage(
        organizationId,
        limit: limit,
        status: status,
        cursor: next,
        options: options,
      );
      for (final Invitation item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Invite someone by email.
  ///
  /// `POST /api/v1/organizations/{organization_id}/invitations`
  /// (createOrganizationInvitation).
  Future<Invitation> createInvitation(
    String organizationId,
    CreateInvitationRequest createInvitationRequest, {
    CallOptions? options,
  }) async {
    final Invitation? result = await _janua._send(
      'createOrganizationInvitation',
      () => _janua._organizationsApi.createOrganizationInvitation(
        organizationId,
        createInvitationRequest,
      ),
      options,
    );
    return _required(result, 'createOrganizationInvitation');
  }

  /// One invitation of an organization.
  ///
  /// `GET /api/v1/organizations/{organization_id}/invitations/{invitation_id}`
  /// (getOrganizationInvitation).
  Future<Invitation> getInvitation(
    String organizationId,
    String invitationId, {
    CallOptions? options,
  }) async {
    final Invitation? result = await _janua._send(
      'getOrganizationInvitation',
      () => _janua._organizationsApi.getOrganizationInvitation(organizationId, invitationId),
      options,
    );
    return _required(result, 'getOrganizationInvitation');
  }

  /// Revoke an invitation.
  ///
  /// `DELETE /api/v1/organizations/{organization_id}/invitations/{invitation_id}`
  /// (revokeOrganizationInvitation).
  Future<void> revokeInvitation(
    String organizationId,
    String invitationId, {
    CallOptions? options,
  }) async {
    await _janua._send(
      'revokeOrganizationInvitation',
      () => _janua._organizationsApi.revokeOrganizationInvitation(organizationId, invitationId),
      options,
    );
  }

  /// Send an invitation again, with a new link and a new expiry.
  ///
  /// `POST /api/v1/organizations/{organization_id}/invitations/{invitation_id}/resend`
  /// (resendOrganizationInvitation).
  Future<Invitation> resendInvitation(
    String organizationId,
    String invitationId, {
    CallOptions? options,
  }) async {
    final Invitation? result = await _janua._send(
      'resendOrganizationInvitation',
      () => _janua._organizationsApi.resendOrganizationInvitation(organizationId, invitationId),
      options,
    );
    return _required(result, 'resendOrganizationInvitation');
  }

  /// What an invitation link offers, without using it.
  ///
  /// `POST /api/v1/invitations/preview` (previewInvitation).
  Future<InvitationPreview> previewInvitation(
    LinkTokenRequest linkTokenRequest, {
    CallOptions? options,
  }) async {
    final InvitationPreview? result = await _janua._send(
      'previewInvitation',
      () => _janua._organizationsApi.previewInvitation(linkTokenRequest),
      options,
      public: true,
    );
    return _required(result, 'previewInvitation');
  }

  /// Accept an invitation as the signed-in user.
  ///
  /// `POST /api/v1/invitations/accept` (acceptInvitation).
  Future<Organization> acceptInvitation(
    LinkTokenRequest linkTokenRequest, {
    CallOptions? options,
  }) async {
    final Organization? result = await _janua._send(
      'acceptInvitation',
      () => _janua._organizationsApi.acceptInvitation(linkTokenRequest),
      options,
    );
    return _required(result, 'acceptInvitation');
  }

  /// Create an account from an invitation and join the organization.
  ///
  /// `POST /api/v1/invitations/register` (registerWithInvitation).
  Future<AuthResponse> registerWithInvitation(
    InvitationSignupRequest invitationSignupRequest, {
    CallOptions? options,
  }) async {
    final AuthResponse? result = await _janua._send(
      'registerWithInvitation',
      () => _janua._organizationsApi.registerWithInvitation(invitationSignupRequest),
      options,
      public: true,
    );
    final AuthResponse answer = _required(result, 'registerWithInvitation');
    await _janua._keep(answer.tokens);
    return answer;
  }

  /// Choose the session's active organization.
  ///
  /// `POST /api/v1/auth/organization` (switchOrganization). Named `switchTo` because `switch`
  /// is a reserved word in Dart. Stores the new access token; the refresh token stays.
  Future<TokenPair> switchTo(
    SwitchOrganizationRequest switchOrganizationRequest, {
    CallOptions? options,
  }) async {
    final TokenPair? result = await _janua._send(
      'switchOrganization',
      () => _janua._organizationsApi.switchOrganization(switchOrganizationRequest),
      options,
    );
    final TokenPair answer = _required(result, 'switchOrganization');
    await _janua._keep(answer, keepRefreshToken: true);
    return answer;
  }

}

/// `janua.users`: The platform's user directory (platform admins).
class UsersNamespace {
  UsersNamespace._(this._janua);

  final Janua _janua;

  /// Every user of the platform (platform admins).
  ///
  /// `GET /api/v1/users` (listUsers).
  Future<AdminUserList> listPage({
    int? limit,
    String? cursor,
    String? q,
    String? status,
    bool? emailVerified,
    bool? isAdmin,
    DateTime? createdAfter,
    DateTime? createdBefore,
    CallOptions? options,
  }) async {
    final AdminUserList? result = await _janua._send(
      'listUsers',
      () => _janua._usersApi.listUsers(
        limit: limit,
        cursor: cursor,
        q: q,
        status: status,
        emailVerified: emailVerified,
        isAdmin: isAdmin,
        createdAfter: createdAfter,
        createdBefore: createdBefore,
      ),
      options,
    );
    return _required(result, 'listUsers');
  }

  /// Every item of every page of [listPage], from [cursor] (or the first page) on.
  Stream<AdminUser> list({
    int? limit,
    String? cursor,
    String? q,
    String? status,
    bool? emailVerified,
    bool? isAdmin,
    DateTime? createdAfter,
    DateTime? createdBefore,
    CallOptions? options,
  }) async* {
    String? next = cursor;
    do {
      final AdminUserList page = await listPage(
        limit: limit,
        q: q,
        status: status,
        emailVerified: emailVerified,
        isAdmin: isAdmin,
        createdAfter: createdAfter,
        createdBefore: createdBefore,
        cursor: next,
        options: options,
      );
      for (final AdminUser item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }
}

/// `janua.admin`: Platform administration - users, organizations and counts (platform admins).
class AdminNamespace {
  AdminNamespace._(this._janua);

  final Janua _janua;

  /// Search the platform's users.
  ///
  /// `GET /api/v1/admin/users` (listAdminUsers).
  Future<AdminUserList> listUsersPage({
    int? limit,
    String? cursor,
    String? q,
    String? status,
    bool? emailVerified,
    bool? isAdmin,
    DateTime? createdAfter,
    DateTime? createdBefore,
    CallOptions? options,
  }) async {
    final AdminUserList? result = await _janua._send(
      'listAdminUsers',
      () => _janua._adminApi.listAdminUsers(
        limit: limit,
        cursor: cursor,
        q: q,
        status: status,
        emailVerified: emailVerified,
        isAdmin: isAdmin,
        createdAfter: createdAfter,
        createdBefore: createdBefore,
      ),
      options,
    );
    return _required(result, 'listAdminUsers');
  }

  /// Every item of every page of [listUsersPage], from [cursor] (or the first page) on.
  Stream<AdminUser> listUsers({
    int? limit,
    String? cursor,
    String? q,
    String? status,
    bool? emailVerified,
    bool? isAdmin,
    DateTime? createdAfter,
    DateTime? createdBefore,
    CallOptions? options,
  }) async* {
    String? next = cursor;
    do {
      final AdminUserList page = await listUsersPage(
        limit: limit,
        q: q,
        status: status,
        emailVerified: emailVerified,
        isAdmin: isAdmin,
        createdAfter: createdAfter,
        createdBefore: createdBefore,
        cursor: next,
        options: options,
      );
      for (final AdminUser item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// One user, with status and role.
  ///
  /// `GET /api/v1/admin/users/{user_id}` (getAdminUser).
  Future<AdminUser> getUser(String userId, {CallOptions? options}) async {
    final AdminUser? result = await _janua._send(
      'getAdminUser',
      () => _janua._adminApi.getAdminUser(userId),
      options,
    );
    return _required(result, 'getAdminUser');
  }

  /// Delete a user for good.
  ///
  /// `DELETE /api/v1/admin/users/{user_id}` (deleteAdminUser).
  Future<void> deleteUser(String userId, {CallOptions? options}) async {
    await _janua._send(
      'deleteAdminUser',
      () => _janua._adminApi.deleteAdminUser(userId),
      options,
    );
  }

  /// Change a user's name, verified flag or platform-admin flag.
  ///
  /// `PATCH /api/v1/admin/users/{user_id}` (updateAdminUser).
  Future<AdminUser> updateUser(
    String userId,
    UpdateAdminUserRequest updateAdminUserRequest, {
    CallOptions? options,
  }) async {
    final AdminUser? result = await _janua._send(
      'updateAdminUser',
      () => _janua._adminApi.updateAdminUser(userId, updateAdminUserRequest),
      options,
    );
    return _required(result, 'updateAdminUser');
  }

  /// Disable (block) a user.
  ///
  /// `POST /api/v1/admin/users/{user_id}/disable` (disableUser).
  Future<AdminUser> disableUser(String userId, {CallOptions? options}) async {
    final AdminUser? result = await _janua._send(
      'disableUser',
      () => _janua._adminApi.disableUser(userId),
      options,
    );
    return _required(result, 'disableUser');
  }

  /// Enable a disabled user again.
  ///
  /// `POST /api/v1/admin/users/{user_id}/enable` (enableUser).
  Future<AdminUser> enableUser(String userId, {CallOptions? options}) async {
    final AdminUser? result = await _janua._send(
      'enableUser',
      () => _janua._adminApi.enableUser(userId),
      options,
    );
    return _required(result, 'enableUser');
  }

  /// Lift the sign-in lockout of a user.
  ///
  /// `POST /api/v1/admin/users/{user_id}/unlock` (unlockUser).
  Future<void> unlockUser(String userId, {CallOptions? options}) async {
    await _janua._send(
      'unlockUser',
      () => _janua._adminApi.unlockUser(userId),
      options,
    );
  }

  /// Mark a user's email address as verified.
  ///
  /// `POST /api/v1/admin/users/{user_id}/verify-email` (verifyUserEmail).
  Future<AdminUser> verifyUserEmail(String userId, {CallOptions? options}) async {
    final AdminUser? result = await _janua._send(
      'verifyUserEmail',
      () => _janua._adminApi.verifyUserEmail(userId),
      options,
    );
    return _required(result, 'verifyUserEmail');
  }

  /// Sign a user out everywhere.
  ///
  /// `DELETE /api/v1/admin/users/{user_id}/sessions` (revokeUserSessions).
  Future<void> revokeUserSessions(String userId, {CallOptions? options}) async {
    await _janua._send(
      'revokeUserSessions',
      () => _janua._adminApi.revokeUserSessions(userId),
      options,
    );
  }

  /// Every organization of the platform.
  ///
  /// `GET /api/v1/admin/organizations` (listAdminOrganizations).
  Future<OrganizationList> listOrganizationsPage({
    int? limit,
    String? cursor,
    String? q,
    CallOptions? options,
  }) async {
    final OrganizationList? result = await _janua._send(
      'listAdminOrganizations',
      () => _janua._adminApi.listAdminOrganizations(limit: limit, cursor: cursor, q: q),
      options,
    );
    return _required(result, 'listAdminOrganizations');
  }

  /// Every item of every page of [listOrganizationsPage], from [cursor] (or the first page) on.
  Stream<Organization> listOrganizations({
    int? limit,
    String? cursor,
    String? q,
    CallOptions? options,
  }) async* {
    String? next = cursor;
    do {
      final OrganizationList page = await listOrganizationsPage(
        limit: limit,
        q: q,
        cursor: next,
        options: options,
      );
      for (final Organization item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Platform counts for a dashboard.
  ///
  /// `GET /api/v1/admin/stats` (getAdminStats).
  Future<AdminStats> stats({CallOptions? options}) async {
    final AdminStats? result = await _janua._send(
      'getAdminStats',
      () => _janua._adminApi.getAdminStats(),
      options,
    );
    return _required(result, 'getAdminStats');
  }
}

/// `janua.audit`: The append-only audit log - search and NDJSON export.
class AuditNamespace {
  AuditNamespace._(this._janua);

  final Janua _janua;

  /// Search the audit log.
  ///
  /// `GET /api/v1/audit-logs` (listAuditLogs).
  Future<AuditEventList> listPage({
    int? limit,
    String? cursor,
    String? organizationId,
    String? actorId,
    String? userId,
    String? action,
    String? target,
    String? outcome,
    DateTime? createdAfter,
    DateTime? createdBefore,
    CallOptions? options,
  }) async {
    final AuditEventList? result = await _janua._send(
      'listAuditLogs',
      () => _janua._auditApi.listAuditLogs(
        limit: limit,
        cursor: cursor,
        organizationId: organizationId,
        actorId: actorId,
        userId: userId,
        action: action,
        target: target,
        outcome: outcome,
        createdAfter: createdAfter,
        createdBefore: createdBefore,
      ),
      options,
    );
    return _required(result, 'listAuditLogs');
  }

  /// Every item of every page of [listPage], from [cursor] (or the first page) on.
  Stream<AuditEvent> list({
    int? limit,
    String? cursor,
    String? organizationId,
    String? actorId,
    String? userId,
    String? action,
    String? target,
    String? outcome,
    DateTime? createdAfter,
    DateTime? createdBefore,
    CallOptions? options,
  }) async* {
    String? next = cursor;
    do {
      final AuditEventList page = await listPage(
        limit: limit,
        organizationId: organizationId,
        actorId: actorId,
        userId: userId,
        action: action,
        target: target,
        outcome: outcome,
        createdAfter: createdAfter,
        createdBefore: createdBefore,
        cursor: next,
        options: options,
      );
      for (final AuditEvent item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Export the audit log as NDJSON.
  ///
  /// `GET /api/v1/audit-logs/export` (exportAuditLogs). One NDJSON document per line; the whole
  /// export is read into memory.
  Future<String> export({
    String? organizationId,
    String? actorId,
    String? userId,
    String? action,
    String? target,
    String? outcome,
    DateTime? createdAfter,
    DateTime? createdBefore,
    CallOptions? options,
  }) async {
    final _Outcome<String?> exported = await _janua._run(
      'exportAuditLogs',
      () => _janua._auditApi.exportAuditLogs(
        organizationId: organizationId,
        actorId: actorId,
        userId: userId,
        action: action,
        target: target,
        outcome: outcome,
        createdAfter: createdAfter,
        createdBefore: createdBefore,
      ),
      options,
    );
    // Decoded here as UTF-8: the generated method reads an `application/x-ndjson` body with
    // package:http's charset default (latin1), which garbles non-ASCII text.
    final _Answer? answer = exported.answer;
    if (answer == null) {
      return exported.value ?? '';
    }
    return utf8.decode(answer.body, allowMalformed: true);
  }
}

/// `janua.oauth`: OAuth 2.0 / OpenID Connect provider endpoints (authorization, tokens, logout)
/// and OAuth clients.
class OAuthNamespace {
  OAuthNamespace._(this._janua);

  final Janua _janua;

  /// Authorization endpoint (authorization code flow).
  ///
  /// `GET /oauth/authorize` (authorize).
  Future<String> authorize(
    String clientId,
    String redirectUri,
    String responseType,
    String scope, {
    String? state,
    String? nonce,
    String? codeChallenge,
    String? codeChallengeMethod,
    String? prompt,
    int? maxAge,
    String? loginHint,
    String? responseMode,
    CallOptions? options,
  }) async {
    final _Outcome<void> outcome = await _janua._run(
      'authorize',
      () => _janua._oauthApi.authorize(
        clientId,
        redirectUri,
        responseType,
        scope,
        state: state,
        nonce: nonce,
        codeChallenge: codeChallenge,
        codeChallengeMethod: codeChallengeMethod,
        prompt: prompt,
        maxAge: maxAge,
        loginHint: loginHint,
        responseMode: responseMode,
      ),
      options,
      public: true,
      followRedirects: false,
    );
    return _redirectTarget(outcome.answer, null);
  }

  /// Authorization endpoint, form-encoded.
  ///
  /// `POST /oauth/authorize` (authorizeWithForm).
  Future<String> authorizeWithForm(
    String clientId,
    String redirectUri,
    String responseType,
    String scope, {
    String? state,
    String? nonce,
    String? codeChallenge,
    String? codeChallengeMethod,
    String? prompt,
    int? maxAge,
    String? loginHint,
    String? responseMode,
    CallOptions? options,
  }) async {
    final _Outcome<void> outcome = await _janua._run(
      'authorizeWithForm',
      () => _janua._oauthApi.authorizeWithForm(
        clientId,
        redirectUri,
        responseType,
        scope,
        state: state,
        nonce: nonce,
        codeChallenge: codeChallenge,
        codeChallengeMethod: codeChallengeMethod,
        prompt: prompt,
        maxAge: maxAge,
        loginHint: loginHint,
        responseMode: responseMode,
      ),
      options,
      public: true,
      followRedirects: false,
    );
    return _redirectTarget(outcome.answer, null);
  }

  /// RP-initiated logout.
  ///
  /// `GET /oauth/logout` (endSession).
  Future<String> endSession({
    String? idTokenHint,
    String? clientId,
    String? postLogoutRedirectUri,
    String? state,
    String? logoutHint,
    String? uiLocales,
    CallOptions? options,
  }) async {
    final _Outcome<String?> outcome = await _janua._run(
      'endSession',
      () => _janua._oauthApi.endSession(
        idTokenHint: idTokenHint,
        clientId: clientId,
        postLogoutRedirectUri: postLogoutRedirectUri,
        state: state,
        logoutHint: logoutHint,
        uiLocales: uiLocales,
      ),
      options,
      public: true,
      followRedirects: false,
    );
    return _redirectTarget(outcome.answer, outcome.value);
  }

  /// RP-initiated logout, form-encoded.
  ///
  /// `POST /oauth/logout` (endSessionWithForm).
  Future<String> endSessionWithForm({
    String? idTokenHint,
    String? clientId,
    String? postLogoutRedirectUri,
    String? state,
    String? logoutHint,
    String? uiLocales,
    CallOptions? options,
  }) async {
    final _Outcome<String?> outcome = await _janua._run(
      'endSessionWithForm',
      () => _janua._oauthApi.endSessionWithForm(
        idTokenHint: idTokenHint,
        clientId: clientId,
        postLogoutRedirectUri: postLogoutRedirectUri,
        state: state,
        logoutHint: logoutHint,
        uiLocales: uiLocales,
      ),
      options,
      public: true,
      followRedirects: false,
    );
    return _redirectTarget(outcome.answer, outcome.value);
  }

  /// Registered OAuth clients (platform admins).
  ///
  /// `GET /api/v1/oauth/clients` (listOAuthClients).
  Future<OAuthClientList> listClientsPage({
    int? limit,
    String? cursor,
    CallOptions? options,
  }) async {
    final OAuthClientList? result = await _janua._send(
      'listOAuthClients',
      () => _janua._oauthApi.listOAuthClients(limit: limit, cursor: cursor),
      options,
    );
    return _required(result, 'listOAuthClients');
  }

  /// Every item of every page of [listClientsPage], from [cursor] (or the first page) on.
  Stream<OAuthClient> listClients({int? limit, String? cursor, CallOptions? options}) async* {
    String? next = cursor;
    do {
      final OAuthClientList page = await listClientsPage(
        limit: limit,
        cursor: next,
        options: options,
      );
      for (final OAuthClient item in page.data) {
        yield item;
      }
      next = page.nextCursor;
    } while (next != null);
  }

  /// Register an OAuth client (platform admins).
  ///
  /// `POST /api/v1/oauth/clients` (createOAuthClient).
  Future<OAuthClient> createClient(
    CreateOAuthClientRequest createOAuthClientRequest, {
    CallOptions? options,
  }) async {
    final OAuthClient? result = await _janua._send(
      'createOAuthClient',
      () => _janua._oauthApi.createOAuthClient(createOAuthClientRequest),
      options,
    );
    return _required(result, 'createOAuthClient');
  }

  /// One OAuth client (platform admins).
  ///
  /// `GET /api/v1/oauth/clients/{client_id}` (getOAuthClient).
  Future<OAuthClient> getClient(String clientId, {CallOptions? options}) async {
    final OAuthClient? result = await _janua._send(
      'getOAuthClient',
      () => _janua._oauthApi.getOAuthClient(clientId),
      options,
    );
    return _required(result, 'getOAuthClient');
  }

  /// Delete an OAuth client and everything issued to it (platform admins).
  ///
  /// `DELETE /api/v1/oauth/clients/{client_id}` (deleteOAuthClient).
  Future<void> deleteClient(String clientId, {CallOptions? options}) async {
    await _janua._send(
      'deleteOAuthClient',
      () => _janua._oauthApi.deleteOAuthClient(clientId),
      options,
    );
  }

  /// Change an OAuth client's metadata (platform admins).
  ///
  /// `PATCH /api/v1/oauth/clients/{client_id}` (updateOAuthClient).
  Future<OAuthClient> updateClient(
    String clientId,
    UpdateOAuthClientRequest updateOAuthClientRequest, {
    CallOptions? options,
  }) async {
    final OAuthClient? result = await _janua._send(
      'updateOAuthClient',
      () => _janua._oauthApi.updateOAuthClient(clientId, updateOAuthClientRequest),
      options,
    );
    return _required(result, 'updateOAuthClient');
  }

  /// Give a confidential client a new secret (platform admins).
  ///
  /// `POST /api/v1/oauth/clients/{client_id}/rotate-secret` (rotateOAuthClientSecret).
  Future<OAuthClient> rotateClientSecret(
    String clientId,
    RotateOAuthClientSecretRequest rotateOAuthClientSecretRequest, {
    CallOptions? options,
  }) async {
    final OAuthClient? result = await _janua._send(
      'rotateOAuthClientSecret',
      () => _janua._oauthApi.rotateOAuthClientSecret(clientId, rotateOAuthClientSecretRequest),
      options,
    );
    return _required(result, 'rotateOAuthClientSecret');
  }

  /// Token endpoint (authorization_code, refresh_token, client_credentials).
  ///
  /// `POST /oauth/token` (requestToken).
  Future<OAuthTokenResponse> token(
    String grantType, {
    String? code,
    String? redirectUri,
    String? codeVerifier,
    String? refreshToken,
    String? scope,
    String? clientId,
    String? clientSecret,
    CallOptions? options,
  }) async {
    final OAuthTokenResponse? result = await _janua._send(
      'requestToken',
      () => _janua._oauthApi.requestToken(
        grantType,
        code: code,
        redirectUri: redirectUri,
        codeVerifier: codeVerifier,
        refreshToken: refreshToken,
        scope: scope,
        clientId: clientId,
        clientSecret: clientSecret,
      ),
      options,
      public: true,
    );
    return _required(result, 'requestToken');
  }

  /// Token introspection (RFC 7662).
  ///
  /// `POST /oauth/introspect` (introspectToken).
  Future<OAuthIntrospection> introspect(
    String token, {
    String? tokenTypeHint,
    String? clientId,
    String? clientSecret,
    CallOptions? options,
  }) async {
    final OAuthIntrospection? result = await _janua._send(
      'introspectToken',
      () => _janua._oauthApi.introspectToken(
        token,
        tokenTypeHint: tokenTypeHint,
        clientId: clientId,
        clientSecret: clientSecret,
      ),
      options,
      public: true,
    );
    return _required(result, 'introspectToken');
  }

  /// Token revocation (RFC 7009).
  ///
  /// `POST /oauth/revoke` (revokeToken).
  Future<void> revoke(
    String token, {
    String? tokenTypeHint,
    String? clientId,
    String? clientSecret,
    CallOptions? options,
  }) async {
    await _janua._send(
      'revokeToken',
      () => _janua._oauthApi.revokeToken(
        token,
        tokenTypeHint: tokenTypeHint,
        clientId: clientId,
        clientSecret: clientSecret,
      ),
      options,
      public: true,
    );
  }

  /// UserInfo endpoint (OpenID Connect Core section 5.3).
  ///
  /// `GET /oauth/userinfo` (getUserInfo). [accessToken] is the OAuth access token to describe
  /// (sent as the bearer token); without it, pass an `Authorization` header in [options].
  Future<UserInfo> userInfo({String? accessToken, CallOptions? options}) async {
    final UserInfo? result = await _janua._send(
      'getUserInfo',
      () => _janua._oauthApi.getUserInfo(),
      options,
      public: true,
      bearer: accessToken,
    );
    return _required(result, 'getUserInfo');
  }

  /// UserInfo endpoint by POST (OpenID Connect Core section 5.3.1).
  ///
  /// `POST /oauth/userinfo` (postUserInfo).
  Future<UserInfo> userInfoWithForm({String? accessToken, CallOptions? options}) async {
    final UserInfo? result = await _janua._send(
      'postUserInfo',
      () => _janua._oauthApi.postUserInfo(accessToken: accessToken),
      options,
      public: true,
    );
    return _required(result, 'postUserInfo');
  }
}

/// What an OAuth browser endpoint answered: the `Location` of a redirect, else the page.
String _redirectTarget(_Answer? answer, String? page) {
  if (answer != null && answer.status >= 300 && answer.status < 400) {
    return answer.headers['location'] ?? '';
  }
  if (page != null) {
    return page;
  }
  return answer == null ? '' : utf8.decode(answer.body, allowMalformed: true);
}
