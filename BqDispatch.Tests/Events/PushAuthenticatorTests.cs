using BqDispatch.Core.Events;
using BqDispatch.Emulators.PubSub;
using Xunit;

namespace BqDispatch.Tests.Events;

/// <summary>The OIDC check of Pub/Sub push requests, against tokens signed with a local key served as a JWKS.</summary>
public sealed class PushAuthenticatorTests : IAsyncLifetime
{
    private const string Audience = "https://bqdispatch.example/api/events";
    private const string Pusher = "pusher@proj1.iam.gserviceaccount.com";

    private PushTokenIssuer issuer = null!;

    public async Task InitializeAsync() => issuer = await PushTokenIssuer.StartAsync();

    public async Task DisposeAsync() => await issuer.DisposeAsync();

    private Task<PushAuthorization> Check(string? header) =>
        new PushAuthenticator(Audience, Pusher, issuer.KeysUrl).Check(header, CancellationToken.None);

    [Fact]
    public async Task A_valid_token_from_the_pusher_for_our_audience_is_accepted()
    {
        Assert.Equal(PushVerdict.Accepted, (await Check("Bearer " + issuer.Token(Audience, Pusher))).Verdict);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ")]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer a.b.c")]
    public async Task A_missing_or_garbled_token_is_401(string? header)
    {
        Assert.Equal(PushVerdict.Unauthorized, (await Check(header)).Verdict);
    }

    [Fact]
    public async Task Expired_unsigned_foreign_key_and_foreign_issuer_tokens_are_401()
    {
        Assert.Equal(PushVerdict.Unauthorized, (await Check("Bearer " + issuer.Expired(Audience, Pusher))).Verdict);
        Assert.Equal(PushVerdict.Unauthorized, (await Check("Bearer " + PushTokenIssuer.Unsigned(Audience, Pusher))).Verdict);
        Assert.Equal(PushVerdict.Unauthorized, (await Check("Bearer " + issuer.SignedByAnotherKey(Audience, Pusher))).Verdict);
        Assert.Equal(PushVerdict.Unauthorized, (await Check("Bearer " + issuer.Token(Audience, Pusher, issuer: "https://evil.example"))).Verdict);
    }

    [Fact]
    public async Task Another_audience_or_another_account_is_403()
    {
        Assert.Equal(PushVerdict.Forbidden, (await Check("Bearer " + issuer.Token("https://other.example/push", Pusher))).Verdict);
        Assert.Equal(PushVerdict.Forbidden, (await Check("Bearer " + issuer.Token(Audience, "someone@proj1.iam.gserviceaccount.com"))).Verdict);
        Assert.Equal(PushVerdict.Forbidden, (await Check("Bearer " + issuer.Token(Audience, Pusher, emailVerified: false))).Verdict);
    }

    [Fact]
    public async Task Keys_that_cannot_be_read_make_a_503_not_a_401()
    {
        var authenticator = new PushAuthenticator(Audience, Pusher, "http://127.0.0.1:9/oauth2/v3/certs");

        var result = await authenticator.Check("Bearer " + issuer.Token(Audience, Pusher), CancellationToken.None);

        Assert.Equal(PushVerdict.KeysUnavailable, result.Verdict);
        Assert.DoesNotContain("eyJ", result.Reason, StringComparison.Ordinal);
    }
}
