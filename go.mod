module maxmargin

go 1.26

require (
	github.com/draffensperger/golp v0.0.0-20250721104811-2d405f0b4e68 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)
