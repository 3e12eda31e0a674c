use traced::traced;

#[traced(metric_attrs(method = %method))]
fn pay(method: &str) {}

#[traced(metrics, metric_attrs(error.type = "x"))]
fn refund() {}

fn main() {
    pay("card");
    refund();
}
