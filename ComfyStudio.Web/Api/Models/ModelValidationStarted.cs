namespace ComfyStudio.Web.Api.Models;

/// <summary>A full check started as a job: its id (progress comes on <c>/ws</c> as <c>model_validation</c> on the <c>system</c> channel).</summary>
public sealed record ModelValidationStarted(string JobId, string Status, string HangfireJobId);
