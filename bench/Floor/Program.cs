// The benchmark's floor: a bare Kestrel host that returns a fixed body for GET /api/balance/,
// with no routing, authentication, logging or database. Whatever the product costs above this
// is the price of its own work. Usage: Floor --urls http://127.0.0.1:PORT --body-file FILE
using Microsoft.AspNetCore.Hosting;

var bodyFile = ReadOption(args, "--body-file")
    ?? throw new ArgumentException("Missing --body-file: the file with the response body to serve.");
var urls = ReadOption(args, "--urls") ?? "http://127.0.0.1:8202";
var body = await File.ReadAllBytesAsync(bodyFile);

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.WebHost.UseKestrelCore().UseUrls(urls);

var app = builder.Build();
app.Run(context =>
{
    if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != "/api/balance/")
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    context.Response.ContentType = "application/json; charset=utf-8";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
});

await app.RunAsync();

static string? ReadOption(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
