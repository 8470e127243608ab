namespace ComfyStudio.Services.Updates;

/// <summary>An update that could not be carried out; the message says why (shown to the caller and logged).</summary>
public class UpdateFailedException(string message, Exception? inner = null) : Exception(message, inner);
