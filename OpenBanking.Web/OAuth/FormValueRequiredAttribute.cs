using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ActionConstraints;

namespace OpenBanking.Web.OAuth;

/// <summary>
/// Selects an action only for a form POST that contains the named field, so the consent
/// page's two buttons reach different actions on the same route.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FormValueRequiredAttribute(string name) : ActionMethodSelectorAttribute
{
    public string Name { get; } = name;

    public override bool IsValidForRequest(RouteContext routeContext, ActionDescriptor action)
    {
        var request = routeContext.HttpContext.Request;
        return HttpMethods.IsPost(request.Method)
            && request.HasFormContentType
            && !string.IsNullOrEmpty(request.Form[Name]);
    }
}
